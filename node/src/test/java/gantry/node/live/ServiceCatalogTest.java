package gantry.node.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationsUpdated;
import gantry.v1.CheckSpec;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeMetrics;
import gantry.v1.NodeRegistered;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.PlanApplied;
import gantry.v1.PortSpec;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceSpec;
import gantry.v1.TaskSpec;
import gantry.v1.TaskState;
import com.google.protobuf.MessageLite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which allocations are a service's endpoints and their weights, on the real replicated state
 * built record by record (no Raft): what {@code gantry service endpoints} shows.
 */
class ServiceCatalogTest {
  private final ClusterState state = new ClusterState();
  private long index;

  private void apply(Record r) {
    state.replay(r, ++index, new Mutations() {
      @Override
      public void put(String key, MessageLite value) {}

      @Override
      public void delete(String key) {}
    }, new Changes());
  }

  private void node(String id, long cpu) {
    apply(Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(Node.newBuilder().setId(id).setName(id)
        .setAddress("10.0.0." + id.substring(1)).setCapacity(Resources.newBuilder().setCpu(cpu).setMemory(4096)))).build());
  }

  private static GroupSpec group(ServiceSpec service, boolean checked) {
    TaskSpec.Builder t = TaskSpec.newBuilder().setName("echo").setDriver("exec").addCommand("echo")
        .addPorts(PortSpec.newBuilder().setName("grpc")).setService(service)
        .setResources(Resources.newBuilder().setCpu(100).setMemory(32));
    if (checked) t.setCheck(CheckSpec.newBuilder().setType("tcp").setPort("grpc"));
    return GroupSpec.newBuilder().setName("g").setCount(3).addTasks(t).build();
  }

  private void run(GroupSpec g, String... allocNode) {
    run("echo", g, allocNode);
  }

  private void run(String job, GroupSpec g, String... allocNode) {
    JobSpec spec = JobSpec.newBuilder().setName(job).addGroups(g).build();
    apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec)).build());
    PlanApplied.Builder plan = PlanApplied.newBuilder().setEvalId("e").setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
    for (int i = 0; i < allocNode.length; i += 2) {
      plan.addPlaced(Allocation.newBuilder().setId(allocNode[i]).setJob(job).setJobVersion(1).setGroup("g")
          .setIndex(i / 2).setNodeId(allocNode[i + 1]).setGroupSpec(g).setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
          .setClientStatus(ClientStatus.CLIENT_STATUS_PENDING).setResources(Resources.newBuilder().setCpu(100).setMemory(32))
          .addPorts(AllocatedPort.newBuilder().setTask("echo").setName("grpc").setHost(20000 + i / 2)));
    }
    apply(Record.newBuilder().setPlanApplied(plan).build());
  }

  private void report(String alloc, ClientStatus status, String taskState, String health) {
    apply(Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().addUpdates(AllocationStatusUpdate
        .newBuilder().setAllocationId(alloc).setClientStatus(status)
        .putTasks("echo", TaskState.newBuilder().setState(taskState).setHealth(health).build()))).build());
  }

  private List<String> endpoints(Map<String, NodeMetrics> use) {
    return ServiceCatalog.endpoints(state, "echo", use).stream()
        .map(e -> e.getAllocationId() + "@" + e.getAddress() + ":" + e.getPort() + " w" + e.getWeight()).toList();
  }

  @Test
  void onlyRunningAllocationsThatPassTheirCheckOnReadyNodesServe() {
    node("n1", 1000);
    node("n2", 2000);
    node("n3", 3000);
    run(group(ServiceSpec.newBuilder().setName("echo").setPort("grpc").build(), true), "a1", "n1", "a2", "n2", "a3", "n3");
    assertEquals(List.of(), endpoints(Map.of()), "nothing reported yet");

    report("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running", "healthy");
    report("a2", ClientStatus.CLIENT_STATUS_RUNNING, "running", "healthy");
    report("a3", ClientStatus.CLIENT_STATUS_RUNNING, "running", "unknown");
    assertEquals(List.of("a1@10.0.0.1:20000 w1000", "a2@10.0.0.2:20001 w2000"), endpoints(Map.of()),
        "a3 has not passed its check yet; weights are the nodes' CPU capacity");

    report("a3", ClientStatus.CLIENT_STATUS_RUNNING, "running", "healthy");
    report("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running", "unhealthy");
    apply(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n2")
        .setStatus(NodeStatus.NODE_STATUS_DOWN)).build());
    assertEquals(List.of("a3@10.0.0.3:20002 w3000"), endpoints(Map.of()), "a1 fails its check, n2 is down");
  }

  @Test
  void aFixedWeightOrTheNodesLiveHeadroomReplacesTheCapacity() {
    node("n1", 1000);
    node("n2", 2000);
    run(group(ServiceSpec.newBuilder().setName("echo").setPort("grpc").setHeadroom(true).build(), false),
        "a1", "n1", "a2", "n2");
    report("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running", "");
    report("a2", ClientStatus.CLIENT_STATUS_RUNNING, "running", "");
    var use = Map.of("n2", NodeMetrics.newBuilder().setCpuPercent(150).setTimeMs(1).build());
    assertEquals(List.of("a1@10.0.0.1:20000 w1000", "a2@10.0.0.2:20001 w500"), endpoints(use),
        "n1 has no report: its capacity; n2 uses 1.5 cores of 2");
    ServiceEndpoint e = ServiceCatalog.endpoints(state, "echo", use).get(1);
    assertEquals("headroom", e.getWeightSource());

    assertEquals(7, ServiceCatalog.weight(ServiceSpec.newBuilder().setWeight(7).build(),
        Node.newBuilder().setCapacity(Resources.newBuilder().setCpu(4000)).build(), null));
    assertEquals(1, ServiceCatalog.weight(ServiceSpec.newBuilder().setHeadroom(true).build(),
        Node.newBuilder().setCapacity(Resources.newBuilder().setCpu(1000)).build(),
        NodeMetrics.newBuilder().setCpuPercent(250).build()), "an overloaded node keeps a weight of 1");
  }

  @Test
  void anAllocationToldToStopLeavesAtOnce() {
    node("n1", 1000);
    GroupSpec g = group(ServiceSpec.newBuilder().setName("echo").setPort("grpc").build(), false);
    run(g, "a1", "n1");
    report("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running", "");
    assertEquals(1, endpoints(Map.of()).size());
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId("e2")
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).addStops(gantry.v1.AllocationStop.newBuilder()
            .setAllocationId("a1").setDescription("scaled in"))).build());
    assertEquals(List.of(), endpoints(Map.of()), "stopping before its agent has stopped it");
    assertEquals(1, ServiceCatalog.summaries(state).size());
    assertEquals(0, ServiceCatalog.summaries(state).getFirst().getEndpoints());
  }

  @Test
  void aServiceHasOnlyTheAllocationsOfTheGroupsThatDeclareIt() {
    node("n1", 1000);
    node("n2", 2000);
    run(group(ServiceSpec.newBuilder().setName("echo").setPort("grpc").build(), false), "a1", "n1");
    run("other", group(ServiceSpec.newBuilder().setName("other").setPort("grpc").build(), false), "b1", "n2", "b2", "n2");
    for (String a : List.of("a1", "b1", "b2")) report(a, ClientStatus.CLIENT_STATUS_RUNNING, "running", "");
    assertEquals(List.of("a1@10.0.0.1:20000 w1000"), endpoints(Map.of()));
    assertEquals(List.of("b1", "b2"), ServiceCatalog.endpoints(state, "other", Map.of()).stream()
        .map(ServiceEndpoint::getAllocationId).toList());
    assertEquals(List.of(), ServiceCatalog.endpoints(state, "nobody", Map.of()));
  }
}
