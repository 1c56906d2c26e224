package gantry.chaos.checker;

import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks each job name's sub-history against {@link RegisterModel} (linearizability is
 * compositional, so names are checked apart). The search is Wing and Gong's, with Lowe's
 * memoization as in Knossos and Porcupine: calls and returns form a doubly linked list in
 * time order; at each step any call that precedes the first pending return may be
 * linearized next; a (linearized set, state) configuration seen before is not explored
 * again. Failed ops are left out (they had no effect); unknown ops return at infinity and
 * observe nothing, so they may take effect at any point after their invoke, or never
 * (which is the same as taking effect after every other op).
 *
 * <p>At each step the ok ops among the candidates are tried before the unknown ones: an
 * unknown op need only take effect when some answer requires it, and after a crash a key
 * can have dozens of them, whose subsets would otherwise be walked first. The same
 * candidates are tried in every frame, so the search stays complete. A step is also cut
 * when it raises the version above what some ok op still to come observed: versions never
 * go down in the model, so that op could no longer be explained; and an unknown op that
 * would change nothing is not linearized (leaving it for later, or never, covers that case).
 */
public final class LinearizabilityChecker {
  public static final String NAME = "linearizable";
  private final long budget;

  /** @param budget most search steps per key before giving up (the verdict is then invalid, "inconclusive") */
  public LinearizabilityChecker(long budget) {
    this.budget = budget;
  }

  public LinearizabilityChecker() {
    this(20_000_000);
  }

  public Verdict check(List<Op> history) {
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    int counted = 0;
    for (Op op : history) {
      if (op.outcome() == Op.Outcome.FAIL) continue;
      if (op.outcome() == Op.Outcome.UNKNOWN && !op.isWrite()) continue;
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      counted++;
    }
    List<String> problems = new ArrayList<>();
    for (var e : byKey.entrySet()) {
      KeyResult r = checkKey(e.getValue());
      if (!r.ok()) problems.add("key " + e.getKey() + ": " + r.detail());
    }
    return problems.isEmpty()
        ? new Verdict(NAME, true, counted, byKey.size() + " keys linearizable")
        : new Verdict(NAME, false, counted, String.join("; ", problems));
  }

  record KeyResult(boolean ok, String detail) {}

  private static final class Entry {
    final boolean call;
    final Op op;
    final int id;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(boolean call, Op op, int id, long time) {
      this.call = call;
      this.op = op;
      this.id = id;
      this.time = time;
    }
  }

  private record Config(BitSet linearized, JobState state) {}

  /** A linearized call, the state before it, and whether it was chosen among the unknown ops. */
  private record Frame(Entry entry, JobState state, boolean unknownPass) {}

  KeyResult checkKey(List<Op> ops) {
    List<Entry> entries = new ArrayList<>();
    int okOps = 0;
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Entry call = new Entry(true, op, i, op.invokeNanos());
      boolean unknown = op.outcome() == Op.Outcome.UNKNOWN;
      Entry ret = new Entry(false, op, i, unknown ? Long.MAX_VALUE : op.completeNanos());
      call.match = ret;
      entries.add(call);
      entries.add(ret);
      if (!unknown) okOps++;
    }
    // Calls before returns at equal times: touching ops count as concurrent (the lenient reading).
    entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
    Entry head = new Entry(false, null, -1, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : entries) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    Set<Config> seen = new HashSet<>();
    Deque<Frame> calls = new ArrayDeque<>();
    BitSet linearized = new BitSet(ops.size());
    JobState state = JobState.ABSENT;
    int okLinearized = 0;
    int deepest = -1;
    Op stuckAt = null;
    JobState stuckState = null;
    long steps = 0;
    Entry cur = head.next;
    boolean unknownPass = false;
    while (okLinearized < okOps) {
      if (++steps > budget) {
        return new KeyResult(false, "inconclusive: search gave up after " + budget + " steps");
      }
      if (cur.call && (cur.op.outcome() == Op.Outcome.UNKNOWN) != unknownPass) {
        cur = cur.next; // tried in the other pass
      } else if (!cur.call && !unknownPass) {
        unknownPass = true; // every ok candidate tried: now the unknown ones
        cur = head.next;
      } else if (cur.call) {
        Optional<JobState> next = RegisterModel.step(state, cur.op);
        boolean advanced = false;
        if (next.isPresent() && next.get().version() > state.version() && outgrows(next.get().version(), ops, linearized, cur.id)) {
          next = Optional.empty();
        }
        if (next.isPresent() && cur.op.outcome() == Op.Outcome.UNKNOWN && next.get().equals(state)) {
          next = Optional.empty(); // changes nothing now: the same as taking effect later, or never
        }
        if (next.isPresent()) {
          BitSet lin = (BitSet) linearized.clone();
          lin.set(cur.id);
          if (seen.add(new Config(lin, next.get()))) {
            calls.push(new Frame(cur, state, unknownPass));
            state = next.get();
            linearized.set(cur.id);
            if (cur.op.outcome() == Op.Outcome.OK) okLinearized++;
            lift(cur);
            cur = head.next;
            unknownPass = false;
            advanced = true;
          }
        }
        if (!advanced) cur = cur.next;
      } else {
        // A return whose call is not linearized yet: that call must go first, so back up.
        if (okLinearized > deepest || (okLinearized == deepest && stuckAt == null)) {
          deepest = okLinearized;
          stuckAt = cur.op;
          stuckState = state;
        }
        if (calls.isEmpty()) {
          return new KeyResult(false, "no linearization; after " + deepest + " ok ops the state is "
              + stuckState + " and op " + describe(stuckAt) + " cannot take effect");
        }
        Frame top = calls.pop();
        state = top.state();
        linearized.clear(top.entry().id);
        if (top.entry().op.outcome() == Op.Outcome.OK) okLinearized--;
        unlift(top.entry());
        cur = top.entry().next;
        unknownPass = top.unknownPass();
      }
    }
    return new KeyResult(true, "");
  }

  /** True when some ok op, not yet linearized and other than {@code self}, observed a version below {@code version}. */
  private static boolean outgrows(long version, List<Op> ops, BitSet linearized, int self) {
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (i == self || linearized.get(i) || op.outcome() != Op.Outcome.OK || op.observed() == null) continue;
      if (op.observed().version() < version) return true;
    }
    return false;
  }

  static String describe(Op op) {
    return "#" + op.id() + " " + op.process() + " " + op.type().name().toLowerCase()
        + (op.written().isEmpty() ? "" : "(" + op.written() + ")")
        + " -> " + op.outcome().name().toLowerCase() + (op.observed() == null ? "" : " " + op.observed())
        + String.format(" [%.3f s .. %.3f s]", op.invokeNanos() / 1e9, op.completeNanos() / 1e9);
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) call.next.prev = call.prev;
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) ret.next.prev = ret.prev;
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) ret.next.prev = ret;
    call.prev.next = call;
    if (call.next != null) call.next.prev = call;
  }
}
