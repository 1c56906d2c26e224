package gantry.scheduler.bench;

import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.Plan;
import gantry.scheduler.Scheduler;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.Constraint;
import gantry.v1.DesiredStatus;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.PortSpec;
import gantry.v1.Resources;
import gantry.v1.SpreadSpec;
import gantry.v1.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Placements per second of the pure scheduler: one evaluation of a 1,000-replica group with
 * a label constraint, a version constraint, a spread block over 20 racks and a dynamic port,
 * on 1,000 or 10,000 nodes that already run a random background load. The snapshot is built
 * once (the leader keeps it); each operation is one whole {@code schedule} call, reported per
 * placement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PlacementBenchmark {
  static final int REPLICAS = 1000;

  @Param({"1000", "10000"})
  public int nodes;

  private ClusterSnapshot snapshot;
  private Evaluation eval;
  private final Scheduler scheduler = new Scheduler();

  static Constraint constraint(String attr, String op, String value) {
    return Constraint.newBuilder().setAttribute(attr).setOperator(op).setValue(value).build();
  }

  /** The benchmark cluster: also used by the test that checks the benchmark places everything. */
  public static ClusterSnapshot cluster(int nodeCount) {
    Random r = new Random(42);
    List<Node> ns = new ArrayList<>(nodeCount);
    List<Allocation> background = new ArrayList<>();
    Job bg = Job.newBuilder().setName("background").setVersion(1).setStatus(JobStatus.JOB_STATUS_RUNNING)
        .setSpec(JobSpec.newBuilder().setName("background")).build();
    for (int i = 0; i < nodeCount; i++) {
      Node n = Node.newBuilder().setId(String.format("node-%05d", i)).setName("n" + i)
          .setStatus(i % 97 == 0 ? NodeStatus.NODE_STATUS_DOWN : NodeStatus.NODE_STATUS_READY).setEligible(true)
          .setCapacity(Resources.newBuilder().setCpu(16000).setMemory(65536))
          .putLabels("rack", "r" + (i % 20)).putLabels("disk", r.nextInt(10) < 6 ? "ssd" : "hdd")
          .putAttributes("kernel", "5." + r.nextInt(20)).putAttributes("os", "linux")
          .addDrivers("docker").addDrivers("exec").addReservedPorts(22).build();
      ns.add(n);
      long cpu = 1000L * r.nextInt(14);
      if (cpu > 0) {
        background.add(Allocation.newBuilder().setId("bg-" + i).setJob("background").setGroup("g")
            .setNodeId(n.getId()).setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
            .setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING)
            .setResources(Resources.newBuilder().setCpu(cpu).setMemory(cpu * 4)).build());
      }
    }
    GroupSpec g = GroupSpec.newBuilder().setName("api").setCount(REPLICAS).setPlacement("binpack")
        .addConstraints(constraint("label.disk", "=", "ssd"))
        .addConstraints(constraint("attr.kernel", "version", ">= 5.2"))
        .addSpread(SpreadSpec.newBuilder().setAttribute("label.rack"))
        .addTasks(TaskSpec.newBuilder().setName("api").setDriver("docker").setImage("local/api:1")
            .setResources(Resources.newBuilder().setCpu(250).setMemory(256))
            .addPorts(PortSpec.newBuilder().setName("http").setTo(8080)))
        .build();
    Job job = Job.newBuilder().setName("api").setVersion(1).setStatus(JobStatus.JOB_STATUS_RUNNING)
        .setSpec(JobSpec.newBuilder().setName("api").setType("service")
            .addConstraints(constraint("attr.os", "=", "linux")).addGroups(g))
        .build();
    return ClusterSnapshot.of(1, ns, List.of(job, bg), background);
  }

  public static Evaluation evaluation() {
    return Evaluation.newBuilder().setId("bench-eval").setJob("api").setTriggeredBy("job-register").build();
  }

  @Setup
  public void setup() {
    snapshot = cluster(nodes);
    eval = evaluation();
    Plan p = scheduler.schedule(snapshot, eval);
    if (p.placements().size() != REPLICAS) {
      throw new IllegalStateException("benchmark job not fully placed: " + p.failures());
    }
  }

  @Benchmark
  @OperationsPerInvocation(REPLICAS)
  public Plan placements() {
    return scheduler.schedule(snapshot, eval);
  }
}
