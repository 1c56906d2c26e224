package gantry.cli.command;

import gantry.v1.CollectGarbageRequest;
import gantry.v1.CollectGarbageResponse;
import gantry.v1.GarbageCounts;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gantry system gc}: collect now what the GC would collect once its thresholds passed. */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Collect now, whatever their age, what the managers' GC collects after eval_gc_threshold, "
        + "job_gc_threshold, deployment_gc_threshold and node_gc_threshold: finished evaluations (not a job's "
        + "latest), allocations stopped and finished on their agent, dead jobs (stopped, or batch jobs done) with "
        + "everything of them, ended deployments (not a job's newest), down nodes with no allocation left (an "
        + "agent that comes back registers its node again), and job versions beyond the newest 6 and the newest "
        + "stable one.",
        "A failed allocation stays while the reschedule delay counts it (10 minutes). Returns once the "
        + "deletions are applied. Needs operator:write when ACLs are on."})
public final class SystemGcCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    CollectGarbageResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.collectGarbage(CollectGarbageRequest.getDefaultInstance()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      GarbageCounts n = response.getCollected();
      client.out().printf("Collected %s, %s, %s, %s, %s and %s%n", count(n.getEvaluations(), "evaluation"),
          count(n.getAllocations(), "allocation"), count(n.getJobs(), "job"), count(n.getDeployments(), "deployment"),
          count(n.getVersions(), "job version"), count(n.getNodes(), "node"));
      client.out().flush();
    }
    return 0;
  }

  /** "1 job", "2 jobs", "0 jobs". */
  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
