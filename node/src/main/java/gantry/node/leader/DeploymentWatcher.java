package gantry.node.leader;

import gantry.node.leader.LeaderAction.Propose;
import gantry.node.leader.LeaderAction.Untracked;
import gantry.node.state.ClusterState;
import gantry.node.state.DeploymentMachine;
import gantry.v1.Deployment;
import gantry.v1.DeploymentAction;
import gantry.v1.DeploymentChanged;
import gantry.v1.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's deployment watcher, a handler of its event loop: once a second it looks for
 * running deployments whose progress deadline passed ({@link DeploymentMachine#deadlinesPassed})
 * and proposes a PROGRESS_DEADLINE record for each; replay fails the deployment unless it made
 * progress in between. A deadline is proposed once per leadership; a lost proposal is proposed
 * again by the next leader, which starts with an empty memory.
 */
final class DeploymentWatcher {
  static final long CHECK_EVERY_MS = 1000;

  private final Map<String, Map<String, Long>> proposed = new HashMap<>();
  private long lastCheck = Long.MIN_VALUE;

  /** Leadership gained: nothing proposed yet. */
  void reset() {
    proposed.clear();
    lastCheck = Long.MIN_VALUE;
  }

  List<LeaderAction> check(ClusterState state, long nowMs) {
    if (lastCheck != Long.MIN_VALUE && nowMs - lastCheck < CHECK_EVERY_MS) return List.of();
    lastCheck = nowMs;
    List<Record> records = new ArrayList<>();
    Set<String> active = new HashSet<>();
    for (Deployment d : state.activeDeployments()) {
      active.add(d.getId());
      Map<String, Long> passed = DeploymentMachine.deadlinesPassed(d, nowMs);
      if (passed.isEmpty() || passed.equals(proposed.get(d.getId()))) continue;
      proposed.put(d.getId(), passed);
      records.add(Record.newBuilder().setDeploymentChanged(DeploymentChanged.newBuilder().setId(d.getId())
          .setAction(DeploymentAction.DEPLOYMENT_ACTION_PROGRESS_DEADLINE).setTimeMs(nowMs).putAllDeadlinesMs(passed)).build());
    }
    proposed.keySet().retainAll(active);
    return records.isEmpty() ? List.of() : List.of(new Propose(records, new Untracked()));
  }
}
