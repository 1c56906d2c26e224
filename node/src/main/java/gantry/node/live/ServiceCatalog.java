package gantry.node.live;

import gantry.node.state.ClusterState;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.NodeMetrics;
import gantry.v1.NodeStatus;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceSpec;
import gantry.v1.ServiceSummary;
import gantry.v1.TaskSpec;
import gantry.v1.TaskState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which allocations serve a service, and with what weight: the one place that rule lives.
 * Pure: a function of the replicated state and the nodes' latest reported use.
 *
 * <p>An allocation's task is an endpoint of the service its group spec (the version it runs)
 * declares while: the allocation is wanted running and its agent reports it running, its node
 * is ready (a down or disconnected node's endpoints leave at once), and the task runs and, when
 * it has a check, passes it. So an endpoint leaves as soon as its allocation is told to stop,
 * fails its check, or its node goes down.
 *
 * <p>Weight r_i: {@code weight: N} gives N; {@code weight: headroom} gives the node's free CPU
 * (capacity minus what its agent reports in use, at least 1 millicore; the capacity while no
 * report is at hand); otherwise the node's CPU capacity in millicores.
 */
public final class ServiceCatalog {
  private ServiceCatalog() {}

  /** Every service some job's current version declares, with its endpoint count, by name. */
  public static List<ServiceSummary> summaries(ClusterState state) {
    Map<String, ServiceSummary.Builder> out = new TreeMap<>();
    Map<String, Set<String>> jobs = new TreeMap<>();
    Map<String, Set<String>> tags = new TreeMap<>();
    for (Job j : state.allJobs()) {
      for (GroupSpec g : j.getSpec().getGroupsList()) {
        for (TaskSpec t : g.getTasksList()) {
          if (!t.hasService()) continue;
          String name = t.getService().getName();
          out.computeIfAbsent(name, n -> ServiceSummary.newBuilder().setName(n));
          jobs.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(j.getName());
          tags.computeIfAbsent(name, n -> new LinkedHashSet<>()).addAll(t.getService().getTagsList());
        }
      }
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (ServiceEndpoint e : all(state, Map.of())) counts.merge(e.getService(), 1, Integer::sum);
    List<ServiceSummary> list = new ArrayList<>();
    out.forEach((name, b) -> list.add(b.setEndpoints(counts.getOrDefault(name, 0)).addAllJobs(jobs.get(name))
        .addAllTags(tags.get(name)).build()));
    return list;
  }

  /** Whether some job's current version declares {@code service}. */
  public static boolean declared(ClusterState state, String service) {
    return state.allJobs().stream().flatMap(j -> j.getSpec().getGroupsList().stream())
        .flatMap(g -> g.getTasksList().stream())
        .anyMatch(t -> t.hasService() && t.getService().getName().equals(service));
  }

  /** The endpoints of {@code service}, ordered by allocation id then task. */
  public static List<ServiceEndpoint> endpoints(ClusterState state, String service, Map<String, NodeMetrics> nodeUse) {
    return sorted(state.allocsOfService(service), state, nodeUse).stream().filter(e -> e.getService().equals(service)).toList();
  }

  private static List<ServiceEndpoint> all(ClusterState state, Map<String, NodeMetrics> nodeUse) {
    return sorted(state.allocs(), state, nodeUse);
  }

  private static List<ServiceEndpoint> sorted(List<Allocation> allocs, ClusterState state, Map<String, NodeMetrics> nodeUse) {
    List<ServiceEndpoint> out = new ArrayList<>();
    for (Allocation a : allocs) out.addAll(endpointsOf(a, state, nodeUse));
    out.sort(Comparator.comparing(ServiceEndpoint::getAllocationId).thenComparing(ServiceEndpoint::getTask));
    return out;
  }

  /**
   * The endpoints {@code a} serves now, in its group's task order: none unless it is wanted and
   * reported running on a ready node (the rule above).
   */
  public static List<ServiceEndpoint> endpointsOf(Allocation a, ClusterState state, Map<String, NodeMetrics> nodeUse) {
    if (a.getDesiredStatus() != DesiredStatus.DESIRED_STATUS_RUN || a.getClientStatus() != ClientStatus.CLIENT_STATUS_RUNNING) {
      return List.of();
    }
    Node node = state.node(a.getNodeId()).orElse(null);
    if (node == null || node.getStatus() != NodeStatus.NODE_STATUS_READY) return List.of();
    List<ServiceEndpoint> out = new ArrayList<>(1);
    for (TaskSpec t : a.getGroupSpec().getTasksList()) {
      if (!t.hasService() || !serving(t, a.getTasksMap().get(t.getName()))) continue;
      ServiceSpec s = t.getService();
      AllocatedPort port = a.getPortsList().stream()
          .filter(p -> p.getTask().equals(t.getName()) && p.getName().equals(s.getPort())).findFirst().orElse(null);
      if (port == null) continue;
      out.add(ServiceEndpoint.newBuilder()
          .setService(s.getName())
          .setAllocationId(a.getId())
          .setJob(a.getJob())
          .setGroup(a.getGroup())
          .setTask(t.getName())
          .setNodeId(node.getId())
          .setNodeName(node.getName())
          .setAddress(node.getAddress())
          .setPort(port.getHost())
          .setWeight(weight(s, node, nodeUse.get(node.getId())))
          .setWeightSource(s.getHeadroom() ? "headroom" : s.getWeight() > 0 ? "fixed" : "capacity")
          .addAllTags(s.getTagsList())
          .build());
    }
    return out;
  }

  private static boolean serving(TaskSpec t, TaskState s) {
    if (s == null || !s.getState().equals("running")) return false;
    return t.hasCheck() ? s.getHealth().equals("healthy") : !s.getHealth().equals("unhealthy");
  }

  static long weight(ServiceSpec s, Node node, NodeMetrics use) {
    if (s.getWeight() > 0) return s.getWeight();
    long capacity = Math.max(1, node.getCapacity().getCpu());
    if (!s.getHeadroom() || use == null) return capacity;
    long used = Math.round(use.getCpuPercent() * 10);
    return Math.max(1, capacity - used);
  }
}
