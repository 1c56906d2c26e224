package gantry.agent.driver.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes of one walk of {@code /proc}, and which of them belong to a task's session: the
 * one place that rule lives.
 *
 * @param takenNanos {@link System#nanoTime()} when the walk began; a CPU rate between two tables
 *     divides by the difference of theirs
 */
record ProcessTable(long takenNanos, Map<Long, ProcStat> byPid, Map<Long, List<ProcStat>> liveBySession) {

  static ProcessTable of(long takenNanos, List<ProcStat> processes) {
    Map<Long, ProcStat> byPid = new HashMap<>();
    Map<Long, List<ProcStat>> bySession = new HashMap<>();
    for (ProcStat s : processes) {
      byPid.put((long) s.pid(), s);
      if (!s.ended()) {
        bySession.computeIfAbsent((long) s.session(), k -> new ArrayList<>()).add(s);
      }
    }
    return new ProcessTable(takenNanos, Map.copyOf(byPid), Map.copyOf(bySession));
  }

  /**
   * The live processes of the session led by {@code leaderPid} that started no earlier than the
   * leader did (so a reused session id of an unrelated, older process never matches), and none
   * while another process, started at other ticks, holds the leader's pid (a reused pid leads a
   * session that is not ours).
   */
  List<ProcStat> sessionMembers(long leaderPid, long leaderStartTicks) {
    if (leaderStartTicks < 0) {
      return List.of(); // the leader was gone before we could read it: nothing provably ours
    }
    // The pid leads another session now: pid numbers start again in a restarted container, and a
    // new task there can get the pid an old task's record still names (chaos run
    // 20261130-194626-be6: forgetting old allocations killed two tasks just started).
    ProcStat leader = byPid.get(leaderPid);
    if (leader != null && !leader.ended() && leader.startTicks() != leaderStartTicks) {
      return List.of();
    }
    return liveBySession.getOrDefault(leaderPid, List.of()).stream()
        .filter(s -> s.startTicks() >= leaderStartTicks)
        .toList();
  }
}
