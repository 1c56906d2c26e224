package gantry.node.autoscale;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The counts a group's policy recommended recently, for scale-in stabilization: a group scales in
 * only to the highest count recommended within the stabilization window (Kubernetes' behaviour),
 * so one quiet minute among busy ones removes nothing.
 *
 * <p>Immutable: {@link AutoscalePolicy#decide} returns the next value inside its decision and the
 * caller keeps it for the group's next call. Only entries that can still be the highest are kept
 * (each newer entry removes the older ones it is not below), so the list is short: its counts
 * fall from oldest to newest.
 */
public record Recommendations(List<Entry> entries) {
  public static final Recommendations NONE = new Recommendations(List.of());

  /** {@code count} was recommended at {@code timeMs}. */
  public record Entry(long timeMs, int count) {}

  public Recommendations {
    entries = List.copyOf(entries);
  }

  /** These plus {@code count} recommended at {@code nowMs}, without what is older than {@code keepMs}. */
  public Recommendations with(long nowMs, int count, long keepMs) {
    List<Entry> next = new ArrayList<>(entries.size() + 1);
    for (Entry e : entries) {
      if (e.timeMs() >= nowMs - keepMs && e.count() > count) next.add(e);
    }
    next.add(new Entry(nowMs, count));
    return new Recommendations(next);
  }

  /** The highest count recommended at or after {@code fromMs}. */
  public OptionalInt highestSince(long fromMs) {
    for (Entry e : entries) {
      if (e.timeMs() >= fromMs) return OptionalInt.of(e.count()); // counts fall with time: the first is the highest
    }
    return OptionalInt.empty();
  }
}
