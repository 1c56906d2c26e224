package gantry.chaos.checker;

import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;

/** Builds small histories by hand: times in milliseconds. */
final class Histories {
  private final List<Op> ops = new ArrayList<>();

  static JobState v(long version, String value) {
    return new JobState(version, value, false);
  }

  static JobState stopped(long version, String value) {
    return new JobState(version, value, true);
  }

  Histories register(String p, String key, String value, long from, long to, Op.Outcome outcome, JobState seen) {
    return add(p, key, Op.Type.REGISTER, value, from, to, outcome, seen);
  }

  Histories stop(String p, String key, long from, long to, JobState seen) {
    return add(p, key, Op.Type.STOP, "", from, to, Op.Outcome.OK, seen);
  }

  Histories read(String p, String key, long from, long to, JobState seen) {
    return add(p, key, Op.Type.READ, "", from, to, Op.Outcome.OK, seen);
  }

  Histories add(String p, String key, Op.Type type, String value, long from, long to, Op.Outcome outcome, JobState seen) {
    ops.add(new Op(ops.size() + 1, p, key, type, outcome, from * 1_000_000, to * 1_000_000, value,
        outcome == Op.Outcome.OK ? seen : null, "m1", outcome == Op.Outcome.OK ? "" : "DEADLINE_EXCEEDED"));
    return this;
  }

  List<Op> ops() {
    return List.copyOf(ops);
  }
}
