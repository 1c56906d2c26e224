package gantry.node.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationStop;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Event;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.JobStopped;
import gantry.v1.Node;
import gantry.v1.NodeRegistered;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.PlanApplied;
import gantry.v1.PortSpec;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.ServiceSpec;
import gantry.v1.TaskSpec;
import gantry.v1.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service topic through the state's own replay: records applied one entry at a time, as the
 * state machine does, and the events the log then holds.
 */
class ServiceEventsTest {
  static final Mutations NOWHERE = new Mutations() {
    @Override
    public void put(String key, com.google.protobuf.MessageLite value) {}

    @Override
    public void delete(String key) {}
  };

  final ClusterState state = new ClusterState();
  final EventLog log = new EventLog(1_000);
  final Subscription all = log.subscribe(new EventFilter(java.util.EnumSet.of(Topic.SERVICE), ""), 0);
  long index;

  /** Applies {@code records} as one entry and returns the service events it made. */
  List<Event> entry(Record... records) throws InterruptedException {
    EventRecorder r = log.recorder(++index, NOWHERE);
    for (Record rec : records) {
      r.begin(rec);
      state.replay(rec, index, r, new Changes());
    }
    log.append(r, state);
    return drain(all);
  }

  static List<Event> drain(Subscription s) throws InterruptedException {
    List<Event> out = new ArrayList<>();
    List<gantry.v1.WatchEventsResponse> read;
    while (!(read = s.next(0)).isEmpty()) read.forEach(w -> out.add(w.getEvent()));
    return out;
  }

  static Record node(String id, long cpu) {
    return Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(Node.newBuilder().setId(id).setName(id)
        .setAddress("10.0.0." + id.substring(1)).setCapacity(Resources.newBuilder().setCpu(cpu).setMemory(4096)))).build();
  }

  static Record job() {
    TaskSpec task = TaskSpec.newBuilder().setName("api").setDriver("exec").addCommand("true")
        .addPorts(PortSpec.newBuilder().setName("grpc").setTo(9000))
        .setService(ServiceSpec.newBuilder().setName("api").setPort("grpc").addTags("v1")).build();
    JobSpec spec = JobSpec.newBuilder().setName("web").addGroups(GroupSpec.newBuilder().setName("g").setCount(2).addTasks(task)).build();
    return Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(1)).build();
  }

  Record plan(String... allocAtNode) {
    String eval = state.latestEval("web").orElseThrow().getId();
    PlanApplied.Builder p = PlanApplied.newBuilder().setEvalId(eval).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
    for (int i = 0; i < allocAtNode.length; i += 2) {
      p.addPlaced(Allocation.newBuilder().setId(allocAtNode[i]).setJob("web").setJobVersion(1).setGroup("g")
          .setNodeId(allocAtNode[i + 1]).setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
          .setClientStatus(ClientStatus.CLIENT_STATUS_PENDING).setResources(Resources.newBuilder().setCpu(100).setMemory(64))
          .addPorts(AllocatedPort.newBuilder().setTask("api").setName("grpc").setHost(20_000 + i).setTo(9000)));
    }
    return Record.newBuilder().setPlanApplied(p).build();
  }

  static Record reported(String alloc, ClientStatus status, String taskState) {
    return Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().setTimeMs(2)
        .addUpdates(AllocationStatusUpdate.newBuilder().setAllocationId(alloc).setClientStatus(status)
            .putTasks("api", TaskState.newBuilder().setState(taskState).setHealth("unknown").build()))).build();
  }

  static List<String> summary(List<Event> events) {
    return events.stream().map(e -> e.getType() + " " + e.getKey() + " " + e.getServiceEndpoint().getAllocationId() + "@"
        + e.getServiceEndpoint().getNodeName() + ":" + e.getServiceEndpoint().getPort()).toList();
  }

  @Test
  void endpointsJoinWhenRunningAndLeaveWithTheirNodeOrTheirJob() throws Exception {
    entry(node("n1", 2000), node("n2", 1000));
    entry(job());
    assertEquals(List.of(), entry(plan("a1", "n1", "a2", "n2")), "placed but not yet running: no endpoint");

    List<Event> up = entry(reported("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running"),
        reported("a2", ClientStatus.CLIENT_STATUS_RUNNING, "running"));
    assertEquals(List.of("ServiceRegistered api a1@n1:20000", "ServiceRegistered api a2@n2:20002"), summary(up));
    Event first = up.getFirst();
    assertEquals(index, first.getIndex());
    assertEquals("service", first.getTopic());
    assertEquals("10.0.0.1", first.getServiceEndpoint().getAddress());
    assertEquals(2000, first.getServiceEndpoint().getWeight(), "the node's CPU capacity");
    assertEquals(List.of("v1"), first.getServiceEndpoint().getTagsList());

    assertEquals(List.of(), entry(reported("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running")),
        "a report that changes nothing about the endpoint makes no event");

    List<Event> down = entry(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n2")
        .setStatus(NodeStatus.NODE_STATUS_DOWN).setTimeMs(3)).build());
    assertEquals(List.of("ServiceDeregistered api a2@n2:20002"), summary(down), "its node went down");

    entry(Record.newBuilder().setJobStopped(JobStopped.newBuilder().setName("web").setTimeMs(4)).build());
    String eval = state.latestEval("web").orElseThrow().getId();
    List<Event> stopped = entry(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(eval)
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE)
        .addStops(AllocationStop.newBuilder().setAllocationId("a1").setDescription("job stopped"))).build());
    assertEquals(List.of("ServiceDeregistered api a1@n1:20000"), summary(stopped),
        "the stopped job's plan stops a1, which leaves at once (a2 had already)");
  }

  @Test
  void aRestartStartsFromWhatTheStateServesSoALaterLeavingIsSeen() throws Exception {
    entry(node("n1", 2000));
    entry(job());
    entry(plan("a1", "n1"));
    entry(reported("a1", ClientStatus.CLIENT_STATUS_RUNNING, "running"));
    log.restart(index, state);
    Subscription after = log.subscribe(new EventFilter(java.util.EnumSet.of(Topic.SERVICE), "api"), 0);
    EventRecorder r = log.recorder(++index, NOWHERE);
    Record failed = reported("a1", ClientStatus.CLIENT_STATUS_FAILED, "dead");
    r.begin(failed);
    state.replay(failed, index, r, new Changes());
    log.append(r, state);
    List<Event> seen = drain(after);
    assertEquals(List.of("ServiceDeregistered api a1@n1:20000"), summary(seen));
    assertTrue(seen.getFirst().getServiceEndpoint().getJob().equals("web"));
  }
}
