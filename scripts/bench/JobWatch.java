// A watcher for scripts/bench/agent.sh, run with the JDK's source launcher against the gantry jar:
//   java -cp cli/target/gantry.jar scripts/bench/JobWatch.java wait ADDRS JOB N [NODE] [POLL_MS] [TIMEOUT_S]
//   java -cp cli/target/gantry.jar scripts/bench/JobWatch.java allocs ADDRS JOB NODE
// `wait` keeps one gRPC connection open (a JVM per poll would cost ~0.5 s of CPU each time on a
// small machine), prints "ready" once a manager answers, then polls every POLL_MS (stale reads,
// a complete count confirmed by a linearizable one) and prints
// "running EPOCH_MS" the first time N allocations of JOB run as the managers report it:
// the job's group summaries (sum of `running`), or with NODE the allocations on that node whose
// client status is running and desired status is run. Exits 1 with "timeout COUNT" otherwise.
// `allocs` prints the ids of JOB's allocations on NODE, one a line.
import gantry.client.ControlClient;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.GetJobRequest;
import gantry.v1.GroupSummary;
import gantry.v1.ListAllocationsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

public final class JobWatch {
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: JobWatch wait ADDRS JOB N [NODE] [POLL_MS] [TIMEOUT_S] | allocs ADDRS JOB NODE");
      System.exit(2);
    }
    var addresses = ControlClient.parseAddresses("addresses", args[1]);
    String job = args[2];
    try (var client = new ControlClient(addresses, Duration.ofSeconds(5))) {
      if (args[0].equals("allocs")) {
        for (Allocation a : allocations(client, job, args[3], false)) {
          if (a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN) System.out.println(a.getId());
        }
        return;
      }
      int want = Integer.parseInt(args[3]);
      String node = args.length > 4 && !args[4].equals("-") ? args[4] : "";
      long pollMs = args.length > 5 ? Long.parseLong(args[5]) : 100;
      long deadline = System.nanoTime() + Duration.ofSeconds(args.length > 6 ? Long.parseLong(args[6]) : 300).toNanos();
      int seen = -1;
      boolean ready = false;
      while (System.nanoTime() < deadline) {
        try {
          // A stale read is the answering manager's own state, with no Raft round; only a count
          // that looks complete is confirmed by a linearizable read, so that the watcher's polls
          // do not load the managers while the containers start (10 reads/s, each a round among
          // the three, made the engine's starts ~5-8 % slower in scripts/bench/agent.sh).
          seen = running(client, job, node, true);
          if (seen >= want) seen = running(client, job, node, false);
        } catch (RuntimeException e) {
          seen = -1; // an election or a restart: try again next poll
        }
        if (!ready && seen >= 0) {
          ready = true;
          System.out.println("ready");
          System.out.flush();
        }
        if (seen >= want) {
          System.out.println("running " + System.currentTimeMillis());
          System.out.flush();
          return;
        }
        Thread.sleep(pollMs);
      }
      System.out.println("timeout " + seen);
      System.exit(1);
    }
  }

  private static int running(ControlClient client, String job, String node, boolean stale) {
    return node.isEmpty() ? runningInJob(client, job, stale) : runningOnNode(client, job, node, stale);
  }

  /** The sum of the groups' running counts; 0 while the job is not registered yet. */
  private static int runningInJob(ControlClient client, String job, boolean stale) {
    try {
      var response = client.call(s -> s.getJob(GetJobRequest.newBuilder().setName(job).setStale(stale).build()));
      return response.getGroupsList().stream().mapToInt(GroupSummary::getRunning).sum();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return 0;
      throw e;
    }
  }

  private static int runningOnNode(ControlClient client, String job, String node, boolean stale) {
    return (int) allocations(client, job, node, stale).stream()
        .filter(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN
            && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING)
        .count();
  }

  private static java.util.List<Allocation> allocations(ControlClient client, String job, String node, boolean stale) {
    return client.call(s -> s.listAllocations(
            ListAllocationsRequest.newBuilder().setJob(job).setNode(node).setStale(stale).build()))
        .getAllocationsList();
  }
}
