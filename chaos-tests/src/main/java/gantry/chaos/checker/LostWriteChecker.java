package gantry.chaos.checker;

import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * No acknowledged write is lost, and no two answers disagree about a version.
 *
 * <p>Every ok register or stop that answered version N with value x must be visible in each
 * final read of its job: the final version is above N, or it is N with value x (and, for a
 * stop, stopped). Every ok answer anywhere in the history (writes and reads) that names
 * version N of a job must name the same value: two values acknowledged for one version is
 * a split brain.
 */
public final class LostWriteChecker {
  public static final String NAME = "no-lost-writes";

  /**
   * @param history every op, including the final reads
   * @param finals the final reads after healing: per peer, per job name, the state read
   */
  public Verdict check(List<Op> history, Map<String, Map<String, JobState>> finals) {
    List<String> problems = new ArrayList<>();
    Map<String, Map<Long, Op>> firstByVersion = new HashMap<>();
    int writes = 0;
    for (Op op : history) {
      if (op.outcome() != Op.Outcome.OK || op.observed() == null || op.observed().absent()) continue;
      JobState s = op.observed();
      Op earlier = firstByVersion.computeIfAbsent(op.key(), k -> new HashMap<>()).putIfAbsent(s.version(), op);
      if (earlier != null && !earlier.observed().value().equals(s.value())) {
        problems.add("split brain on " + op.key() + " v" + s.version() + ": "
            + LinearizabilityChecker.describe(earlier) + " vs " + LinearizabilityChecker.describe(op));
      }
      if (!op.isWrite() || op.process().equals("final")) continue;
      writes++;
      for (var peer : finals.entrySet()) {
        JobState fin = peer.getValue().getOrDefault(op.key(), JobState.ABSENT);
        boolean visible = fin.version() > s.version()
            || (fin.version() == s.version() && fin.value().equals(s.value())
                && (op.type() != Op.Type.STOP || fin.stopped()));
        if (!visible) {
          problems.add("lost write on " + op.key() + ": " + LinearizabilityChecker.describe(op)
              + " but peer " + peer.getKey() + " finally reads " + fin);
        }
      }
    }
    if (finals.isEmpty()) problems.add("no final reads: cannot tell whether writes survived");
    int shown = Math.min(problems.size(), 10);
    return problems.isEmpty()
        ? new Verdict(NAME, true, writes, writes + " acknowledged writes all visible on " + finals.size() + " peers")
        : new Verdict(NAME, false, writes, problems.size() + " problems: "
            + String.join("; ", problems.subList(0, shown)) + (shown < problems.size() ? "; ..." : ""));
  }
}
