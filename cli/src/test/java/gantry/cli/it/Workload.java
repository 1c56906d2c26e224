package gantry.cli.it;

import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent clients registering jobs against every peer. A job counts as acknowledged only
 * when a RegisterJob returned OK. A call that fails with UNAVAILABLE or a deadline is retried
 * on the next peer (registration is idempotent), as the CLI does.
 */
final class Workload {
  final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  final AtomicInteger retries = new AtomicInteger();
  private final PeerProcesses cluster;

  Workload(PeerProcesses cluster) {
    this.cluster = cluster;
  }

  static JobSpec spec(String name) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(2)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("60")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }

  /** Registers {@code names} from one client, starting at peer {@code start}; returns when all are acknowledged. */
  void register(List<String> names, int start) {
    List<PeerProcesses.Peer> peers = cluster.peers();
    int at = start;
    for (String name : names) {
      RegisterJobRequest req = RegisterJobRequest.newBuilder().setSpec(spec(name)).build();
      for (int attempt = 0; ; attempt++) {
        if (attempt > 200) throw new AssertionError("job " + name + " was never acknowledged");
        String id = peers.get(Math.floorMod(at, peers.size())).id();
        try {
          cluster.stub(id).registerJob(req);
          acknowledged.add(name);
          break;
        } catch (StatusRuntimeException e) {
          Status.Code code = e.getStatus().getCode();
          if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) throw e;
          retries.incrementAndGet();
          at++;
          PeerProcesses.sleep(50);
        }
      }
    }
  }
}
