package gantry.chaos.checker;

import gantry.chaos.nemesis.FaultWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges the nemesis itself: a run is only as good as the faults it really injected. Invalid
 * when no fault was injected at all (every one skipped, or the schedule never got to one: a
 * quiet run that passes proves nothing), or when any window carries a problem (a partition
 * whose probes still got through, a heal that left a rule behind, a snapshot install that
 * never happened).
 */
public final class NemesisChecker {
  public static final String NAME = "nemesis";

  public Verdict check(List<FaultWindow> timeline) {
    Map<String, int[]> kinds = new TreeMap<>(); // name -> {injected, skipped}
    List<String> problems = new ArrayList<>();
    for (FaultWindow w : timeline) {
      kinds.computeIfAbsent(w.fault(), k -> new int[2])[w.injected() ? 0 : 1]++;
      if (!w.problem().isEmpty()) problems.add(w.fault() + " at " + w.startNanos() / 1_000_000 + " ms: " + w.problem());
    }
    int injected = (int) timeline.stream().filter(FaultWindow::injected).count();
    StringBuilder summary = new StringBuilder(injected + " of " + timeline.size() + " faults injected");
    kinds.forEach((k, n) -> summary.append("; ").append(k).append(" ").append(n[0]).append(n[1] > 0 ? " (" + n[1] + " skipped)" : ""));
    List<String> skips = timeline.stream().filter(w -> !w.injected()).map(w -> w.fault() + ": " + w.detail()).distinct().toList();
    if (injected == 0) {
      problems.add(0, "no fault was injected" + (skips.isEmpty() ? " (the run was too short for one)" : ": " + String.join("; ", skips)));
    }
    return problems.isEmpty()
        ? new Verdict(NAME, true, timeline.size(), summary.toString())
        : new Verdict(NAME, false, timeline.size(), String.join("; ", problems) + " (" + summary + ")");
  }
}
