package gantry.chaos.checker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts how often each allocation's task was started on each agent: a start is a new
 * process (pid and start time, so a reused pid is a new start) carrying the allocation's id.
 * An allocation is placed on one agent once; the managers never start the same allocation
 * again (a replacement is a new allocation with a new id). So a second start on the same
 * agent is a violation unless it is explained:
 * <ul>
 *   <li>by a restart of that agent between the two (its container was killed and started:
 *       the agent re-runs the allocations it saved, as after a machine crash), or
 *   <li>by the task's restart policy, which restarts a task that failed by itself: up to
 *       {@code policyRestarts} such restarts per allocation and agent are accepted. The
 *       campaign's fleet task is {@code sleep 86400}, which never fails during a run and
 *       which nothing but its agent's crash kills, so the campaign passes 0: any other
 *       second start is the agent running an allocation again that it had stopped, or was
 *       told to stop, e.g. from stale assignments.
 * </ul>
 * Two processes of one allocation at once on one agent are never explained.
 */
final class TaskStarts {
  private record Instance(long pid, long startTicks, long firstSeen, long lastSeen) {}

  private final List<AllocationChecker.AgentRestart> restarts;
  private final int policyRestarts;

  TaskStarts(List<AllocationChecker.AgentRestart> restarts, int policyRestarts) {
    this.restarts = List.copyOf(restarts);
    this.policyRestarts = policyRestarts;
  }

  /** The violations found, at most {@code limit}, and the total of starts counted. */
  record Result(List<String> problems, int starts, int explained) {}

  Result check(List<AllocationChecker.Sample> samples, int limit) {
    Map<String, Map<String, List<Instance>>> seen = new LinkedHashMap<>(); // alloc -> agent -> instances
    List<String> problems = new ArrayList<>();
    for (AllocationChecker.Sample s : samples) {
      Map<String, Integer> inSample = new LinkedHashMap<>();
      for (AllocationChecker.TaskProcess p : s.processes()) {
        String key = p.alloc() + "@" + p.agent();
        if (inSample.merge(key, 1, Integer::sum) == 2 && problems.size() < limit) {
          problems.add("allocation " + p.alloc() + " ran twice at once on " + p.agent() + " at " + seconds(s.atNanos()));
        }
        List<Instance> list = seen.computeIfAbsent(p.alloc(), k -> new LinkedHashMap<>())
            .computeIfAbsent(p.agent(), k -> new ArrayList<>());
        int at = indexOf(list, p);
        if (at < 0) list.add(new Instance(p.pid(), p.startTicks(), s.atNanos(), s.atNanos()));
        else list.set(at, new Instance(p.pid(), p.startTicks(), list.get(at).firstSeen(), s.atNanos()));
      }
    }
    int starts = 0;
    int explained = 0;
    for (var alloc : seen.entrySet()) {
      for (var agent : alloc.getValue().entrySet()) {
        List<Instance> list = agent.getValue();
        starts += list.size();
        int byPolicy = 0;
        for (int i = 1; i < list.size(); i++) {
          Instance prev = list.get(i - 1);
          Instance next = list.get(i);
          if (agentRestarted(agent.getKey(), prev.lastSeen(), next.firstSeen())) {
            explained++;
          } else if (++byPolicy > policyRestarts && problems.size() < limit) {
            problems.add("allocation " + alloc.getKey() + " started again on " + agent.getKey() + " at "
                + seconds(next.firstSeen()) + " (pid " + next.pid() + "; pid " + prev.pid() + " ran "
                + seconds(prev.firstSeen()) + " - " + seconds(prev.lastSeen()) + ") with no restart of "
                + agent.getKey() + " in between");
          } else {
            explained++;
          }
        }
      }
    }
    return new Result(problems, starts, explained);
  }

  private static int indexOf(List<Instance> list, AllocationChecker.TaskProcess p) {
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.get(i).pid() == p.pid() && list.get(i).startTicks() == p.startTicks()) return i;
    }
    return -1;
  }

  /** Whether {@code agent} was killed after the old process was last seen (give or take a sample) and before the new one. */
  private boolean agentRestarted(String agent, long lastSeenOld, long firstSeenNew) {
    for (AllocationChecker.AgentRestart r : restarts) {
      if (r.agent().equals(agent) && r.killedNanos() >= lastSeenOld - 1_000_000_000L && r.killedNanos() <= firstSeenNew) {
        return true;
      }
    }
    return false;
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
  }
}
