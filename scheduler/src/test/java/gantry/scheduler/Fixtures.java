package gantry.scheduler;

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
import gantry.v1.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders for the proto objects the tests feed the scheduler. */
public final class Fixtures {
  private Fixtures() {}

  public static Node.Builder node(String name, long cpu, long mem) {
    return Node.newBuilder().setId("id-" + name).setName(name).setStatus(NodeStatus.NODE_STATUS_READY)
        .setEligible(true).setCapacity(Resources.newBuilder().setCpu(cpu).setMemory(mem))
        .addDrivers("docker").addDrivers("exec");
  }

  public static Node node(String name, long cpu, long mem, Map<String, String> labels) {
    return node(name, cpu, mem).putAllLabels(labels).build();
  }

  public static TaskSpec.Builder task(String name, long cpu, long mem) {
    return TaskSpec.newBuilder().setName(name).setDriver("docker").setImage("local/busybox:1")
        .setResources(Resources.newBuilder().setCpu(cpu).setMemory(mem));
  }

  public static GroupSpec.Builder group(String name, int count, long cpu, long mem) {
    return GroupSpec.newBuilder().setName(name).setCount(count).addTasks(task("t", cpu, mem));
  }

  public static GroupSpec.Builder groupWithPort(String name, int count, long cpu, long mem, int staticPort) {
    return GroupSpec.newBuilder().setName(name).setCount(count)
        .addTasks(task("t", cpu, mem).addPorts(PortSpec.newBuilder().setName("http").setTo(8080).setStatic(staticPort)));
  }

  public static Constraint constraint(String attr, String op, String value) {
    return Constraint.newBuilder().setAttribute(attr).setOperator(op).setValue(value).build();
  }

  public static Job job(String name, String type, long version, GroupSpec.Builder... groups) {
    JobSpec.Builder spec = JobSpec.newBuilder().setName(name).setType(type);
    for (GroupSpec.Builder g : groups) {
      spec.addGroups(g);
    }
    return Job.newBuilder().setName(name).setVersion(version).setSpec(spec).setStatus(JobStatus.JOB_STATUS_RUNNING)
        .build();
  }

  public static Job job(JobSpec.Builder spec, long version) {
    return Job.newBuilder().setName(spec.getName()).setVersion(version).setSpec(spec)
        .setStatus(JobStatus.JOB_STATUS_RUNNING).build();
  }

  public static Allocation.Builder alloc(String id, Job job, String group, int index, Node node, long cpu, long mem) {
    return Allocation.newBuilder().setId(id).setJob(job.getName()).setJobVersion(job.getVersion()).setGroup(group)
        .setIndex(index).setNodeId(node.getId()).setNodeName(node.getName())
        .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING)
        .setResources(Resources.newBuilder().setCpu(cpu).setMemory(mem));
  }

  public static Evaluation eval(String id, String job) {
    return Evaluation.newBuilder().setId(id).setJob(job).setTriggeredBy("job-register").build();
  }

  public static ClusterSnapshot snapshot(List<Node> nodes, List<Job> jobs, List<Allocation> allocs) {
    return ClusterSnapshot.of(1, nodes, jobs, allocs);
  }

  public static List<Node> uniformNodes(int n, long cpu, long mem) {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(node(String.format("n%03d", i), cpu, mem).build());
    }
    return out;
  }

  /** Runs evaluations until the plan is empty, committing each; returns the final snapshot. */
  public static ClusterSnapshot converge(ClusterSnapshot snap, String job, int rounds) {
    Scheduler s = new Scheduler();
    for (int i = 0; i < rounds; i++) {
      Plan p = s.schedule(snap, eval("eval-" + job + "-" + snap.index(), job));
      if (p.isEmpty()) {
        return snap;
      }
      snap = snap.apply(p, snap.index() + 1);
    }
    return snap;
  }

  public static List<Allocation> live(ClusterSnapshot snap, String job) {
    return snap.allocsOfJob(job).stream().filter(AllocationRules::isLive).toList();
  }

  /** The first {@code n} allocations of {@code version} (by id) without deploy health get {@code status}, as their agents report it. */
  public static ClusterSnapshot withHealth(ClusterSnapshot snap, String job, long version, String status, int n) {
    return withHealth(snap, job, version, status, n, 0);
  }

  /** As {@link #withHealth(ClusterSnapshot, String, long, String, int)}, decided at {@code timeMs}. */
  public static ClusterSnapshot withHealth(ClusterSnapshot snap, String job, long version, String status, int n, long timeMs) {
    List<Allocation> all = new java.util.ArrayList<>(snap.allocs());
    List<String> pick = all.stream()
        .filter(a -> a.getJob().equals(job) && a.getJobVersion() == version && a.getDeployHealth().getStatus().isEmpty())
        .map(Allocation::getId).sorted().limit(n).toList();
    all.replaceAll(a -> pick.contains(a.getId())
        ? a.toBuilder().setDeployHealth(gantry.v1.DeployHealth.newBuilder().setStatus(status).setTimeMs(timeMs)).build() : a);
    List<Node> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < snap.nodeCount(); i++) nodes.add(snap.node(i));
    return ClusterSnapshot.of(snap.index() + 1, nodes, snap.jobs(), all);
  }
}
