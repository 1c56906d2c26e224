package gantry.cli;

import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.AllocationMetrics;
import gantry.v1.ClientStatus;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.DesiredStatus;
import gantry.v1.DrainNodeRequest;
import gantry.v1.DrainNodeResponse;
import gantry.v1.GroupSummary;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListNodesRequest;
import gantry.v1.ListNodesResponse;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.Resources;
import gantry.v1.TaskState;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DeregisterJobResponse;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import gantry.v1.Peer;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.GetDeploymentResponse;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.ListJobVersionsResponse;
import gantry.v1.ChangeDeploymentRequest;
import gantry.v1.ChangeDeploymentResponse;
import gantry.v1.RevertJobRequest;
import gantry.v1.RevertJobResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC server on a free loopback port with a canned ControlService: one job, "web" (two
 * versions, two deployments), two nodes (a1 ready, a2 draining) and three allocations of web, two
 * live on a1 and a stopped one on a2; a job "api" whose deployment is blocked on its canary and a
 * paused deployment of "worker", for the deployment verbs; and scripted deployments for jobs named
 * "roll-...", followed by job run and job revert.
 */
final class FakeControlServer implements AutoCloseable {
  static final Job WEB = Job.newBuilder()
      .setName("web").setVersion(2).setStatus(JobStatus.JOB_STATUS_RUNNING).setSubmitTimeMs(1_700_000_000_000L)
      .setSpec(JobSpec.newBuilder().setName("web").setType("service").setPriority(50)
          .addGroups(gantry.v1.GroupSpec.newBuilder().setName("frontend").setCount(3)
              .addTasks(gantry.v1.TaskSpec.newBuilder().setName("httpd").setImage("local/nope:1"))))
      .build();

  /** The version of web before {@link #WEB}: two replicas of another image; it deployed well. */
  static final Job WEB_V1 = WEB.toBuilder().setVersion(1).setStable(true).setSubmitTimeMs(1_699_999_000_000L)
      .setSpec(WEB.getSpec().toBuilder().setGroups(0, WEB.getSpec().getGroups(0).toBuilder().setCount(2)
          .setTasks(0, WEB.getSpec().getGroups(0).getTasks(0).toBuilder().setImage("local/busybox:1"))))
      .build();

  /** web's deployments, newest first: version 2 rolling out, version 1 done. */
  static final Deployment WEB_ROLLING = Deployment.newBuilder().setId("3f2a1c0d-4444-4000-8000-000000000000")
      .setJob("web").setJobVersion(2).setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING)
      .setStatusDescription("deployment is running").setCreateTimeMs(1_700_000_000_000L)
      .putGroups("frontend", DeploymentGroup.newBuilder().setDesired(3).setPlaced(2).setHealthy(1).setAutoRevert(true).build())
      .build();
  static final Deployment WEB_DONE = Deployment.newBuilder().setId("3f2a9e9e-5555-4000-8000-000000000000")
      .setJob("web").setJobVersion(1).setStatus(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL)
      .setStatusDescription("deployment completed successfully").setCreateTimeMs(1_699_999_000_000L)
      .putGroups("frontend", DeploymentGroup.newBuilder().setDesired(2).setPlaced(2).setHealthy(2).build())
      .build();

  /** api's deployment: its one canary is healthy and the roll-out waits for promotion; the progress deadline is set. */
  static final Deployment API_BLOCKED = Deployment.newBuilder().setId("c2c2c2c2-7777-4000-8000-000000000000")
      .setJob("api").setJobVersion(4).setStatus(DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED)
      .setStatusDescription("every canary is healthy; waiting for promotion").setCreateTimeMs(1_700_000_000_000L)
      .putGroups("edge", DeploymentGroup.newBuilder().setDesired(3).setPlaced(1).setHealthy(1).setDesiredCanaries(1)
          .setPlacedCanaries(1).setProgressDeadlineMs(600_000).setRequireProgressByMs(1_700_000_600_000L).build())
      .build();

  static final Job API = Job.newBuilder().setName("api").setVersion(4).setStatus(JobStatus.JOB_STATUS_RUNNING)
      .setSubmitTimeMs(1_700_000_000_000L)
      .setSpec(JobSpec.newBuilder().setName("api").addGroups(gantry.v1.GroupSpec.newBuilder().setName("edge").setCount(3)))
      .build();

  /** worker's deployment, paused by an operator. */
  static final Deployment WORKER_PAUSED = Deployment.newBuilder().setId("d2d2d2d2-8888-4000-8000-000000000000")
      .setJob("worker").setJobVersion(2).setStatus(DeploymentStatus.DEPLOYMENT_STATUS_PAUSED)
      .setStatusDescription("paused by an operator").setCreateTimeMs(1_700_000_000_000L)
      .putGroups("w", DeploymentGroup.newBuilder().setDesired(2).setPlaced(1).setHealthy(1).build())
      .build();

  /** Every deployment that is not scripted, newest first as the server lists them. */
  static final List<Deployment> DEPLOYMENTS = List.of(WEB_ROLLING, WEB_DONE, API_BLOCKED, WORKER_PAUSED);

  /** The first 8 characters of each script's deployment id (before SCRIPTS, which uses it). */
  private static final Map<String, String> SCRIPT_IDS = Map.of("roll-ok", "a0a0a0a0", "roll-bad", "b0b0b0b0",
      "roll-canary", "c0c0c0c0", "roll-auto", "c1c1c1c1", "roll-pause", "d0d0d0d0", "roll-flaky", "e0e0e0e0");

  /** A script step that answers UNAVAILABLE, as a peer does while no leader is known. */
  static final Deployment UNAVAILABLE = Deployment.newBuilder().setId("unavailable").build();
  static final String NO_LEADER = "no leader known to peer m1 right now";

  /**
   * A job registered with {@code job run} (or reverted with {@code job revert}) whose name starts
   * with "roll" gets version 3 and a deployment that each GetDeployment moves one step along its
   * script, staying on the last: "roll-ok" ends successful, "roll-bad" failed, "roll-canary" blocked
   * on its healthy canary, "roll-auto" blocked then promoted by auto_promote and successful,
   * "roll-pause" paused then resumed and successful, "roll-flaky" successful after two polls that
   * answer UNAVAILABLE. Any other new job gets no deployment (no update policy).
   */
  static final Map<String, List<Deployment>> SCRIPTS = Map.of(
      "roll-ok", List.of(
          rollout("roll-ok", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 0, 0, 0, "deployment is running"),
          rollout("roll-ok", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, 0, 0, "deployment is running"),
          rollout("roll-ok", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, 0, 0, "deployment is running"),
          rollout("roll-ok", DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, 2, 2, 0, "deployment completed successfully")),
      "roll-bad", List.of(
          rollout("roll-bad", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, 0, 0, "deployment is running"),
          rollout("roll-bad", DeploymentStatus.DEPLOYMENT_STATUS_FAILED, 1, 0, 1,
              "allocation 7c7c7c7c unhealthy: task httpd: exit code 1")),
      "roll-canary", List.of(
          step("roll-canary", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, "placing canaries", canary(0, 0, false, false)),
          step("roll-canary", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, "waiting for the canaries to be healthy",
              canary(1, 0, false, false)),
          step("roll-canary", DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED, "every canary is healthy; waiting for promotion",
              canary(1, 1, false, false))),
      "roll-auto", List.of(
          step("roll-auto", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, "placing canaries", canary(0, 0, false, true)),
          step("roll-auto", DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED, "every canary is healthy; promoting",
              canary(1, 1, false, true)),
          step("roll-auto", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, "promoted", canary(1, 1, true, true)),
          step("roll-auto", DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, "deployment completed successfully",
              canary(1, 1, true, true).setPlaced(2).setHealthy(2))),
      "roll-pause", List.of(
          rollout("roll-pause", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 0, 0, 0, "deployment is running"),
          rollout("roll-pause", DeploymentStatus.DEPLOYMENT_STATUS_PAUSED, 1, 0, 0, "paused by an operator"),
          rollout("roll-pause", DeploymentStatus.DEPLOYMENT_STATUS_PAUSED, 1, 0, 0, "paused by an operator"),
          rollout("roll-pause", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, 0, 0, "deployment is running"),
          rollout("roll-pause", DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, 2, 2, 0, "deployment completed successfully")),
      "roll-flaky", List.of(
          rollout("roll-flaky", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 0, 0, 0, "deployment is running"),
          UNAVAILABLE,
          UNAVAILABLE,
          rollout("roll-flaky", DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, 0, 0, "deployment is running"),
          rollout("roll-flaky", DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, 2, 2, 0, "deployment completed successfully")));

  /** The whole id of a scripted deployment, as the promote and resume hints print it. */
  static String scriptId(String job) {
    return SCRIPT_IDS.get(job) + "-6666-4000-8000-000000000000";
  }

  private static Deployment rollout(String job, DeploymentStatus status, int placed, int healthy, int unhealthy,
      String description) {
    return step(job, status, description, DeploymentGroup.newBuilder().setDesired(2).setPlaced(placed).setHealthy(healthy)
        .setUnhealthy(unhealthy));
  }

  private static Deployment step(String job, DeploymentStatus status, String description, DeploymentGroup.Builder group) {
    return Deployment.newBuilder().setId(scriptId(job)).setJob(job).setJobVersion(3).setStatus(status)
        .setStatusDescription(description).putGroups("g", group.build()).build();
  }

  /** Group g with one canary of two allocations: the canary placed, and healthy, or not yet. */
  private static DeploymentGroup.Builder canary(int placed, int healthy, boolean promoted, boolean autoPromote) {
    return DeploymentGroup.newBuilder().setDesired(2).setPlaced(placed).setHealthy(healthy).setDesiredCanaries(1)
        .setPlacedCanaries(placed).setPromoted(promoted).setAutoPromote(autoPromote);
  }

  /** How far each scripted deployment has got: reset by its registration, moved by GetDeployment. */
  static final Map<String, AtomicInteger> STEPS = new ConcurrentHashMap<>();

  static final String A1_ID = "a1a1a1a1-0000-4000-8000-000000000001";
  static final String A2_ID = "a2a2a2a2-0000-4000-8000-000000000002";

  static final String UNPLACED = "5 nodes evaluated: 3 exhausted memory, 2 failed constraint label.disk = ssd";

  static final GroupSummary FRONTEND = GroupSummary.newBuilder().setGroup("frontend").setDesired(3).setPlaced(2)
      .setRunning(1).setPending(1).setUnplacedReason(UNPLACED).build();

  static final List<Node> NODES = List.of(
      Node.newBuilder().setId(A1_ID).setName("a1").setStatus(NodeStatus.NODE_STATUS_READY).setEligible(true)
          .setCapacity(Resources.newBuilder().setCpu(4000).setMemory(8192)).addDrivers("docker").addDrivers("exec")
          .putLabels("disk", "ssd").build(),
      Node.newBuilder().setId(A2_ID).setName("a2").setStatus(NodeStatus.NODE_STATUS_READY).setEligible(false)
          .setDraining(true).setCapacity(Resources.newBuilder().setCpu(2000).setMemory(1024)).addDrivers("exec").build());

  static final List<Allocation> ALLOCATIONS = List.of(
      Allocation.newBuilder().setId("0f0f0f0f-1111-4000-8000-000000000000").setJob("web").setJobVersion(2)
          .setGroup("frontend").setIndex(0).setNodeId(A1_ID).setNodeName("a1")
          .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING)
          .addPorts(AllocatedPort.newBuilder().setTask("httpd").setName("http").setHost(23456).setTo(8080))
          .putTasks("httpd", TaskState.newBuilder().setState("running").setHealth("healthy").build())
          .setMetrics(AllocationMetrics.newBuilder().setCpuPercent(12.34).setMemoryMb(42).setTimeMs(1_700_000_000_000L))
          .build(),
      Allocation.newBuilder().setId("1e1e1e1e-2222-4000-8000-000000000000").setJob("web").setJobVersion(2)
          .setGroup("frontend").setIndex(1).setNodeId(A1_ID).setNodeName("a1")
          .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_PENDING)
          .putTasks("httpd", TaskState.newBuilder().setState("pending").setHealth("unknown").build())
          .build(),
      Allocation.newBuilder().setId("2d2d2d2d-3333-4000-8000-000000000000").setJob("web").setJobVersion(1)
          .setGroup("frontend").setIndex(2).setNodeId(A2_ID).setNodeName("a2")
          .setDesiredStatus(DesiredStatus.DESIRED_STATUS_STOP).setClientStatus(ClientStatus.CLIENT_STATUS_COMPLETE)
          .putTasks("httpd", TaskState.newBuilder().setState("dead").setHealth("unhealthy").build())
          .build());

  /** The last DrainNode request that found its node; tests read what the CLI sent. */
  static volatile DrainNodeRequest lastDrain;

  /** The last ChangeDeployment and RevertJob requests, whatever the answer; tests read what the CLI sent. */
  static volatile ChangeDeploymentRequest lastChange;
  static volatile RevertJobRequest lastRevert;

  private final Server server;

  FakeControlServer() {
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new Service()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  /** A loopback address where nothing listens: connections are refused at once. */
  static String deadAddress() {
    try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** WatchEvents' canned events: web registered (5), one of its allocations placed (6), its group scaled (7). */
  static final List<gantry.v1.Event> EVENTS = List.of(
      gantry.v1.Event.newBuilder().setIndex(5).setTopic("job").setType("JobRegistered").setKey("web").setJob(WEB).build(),
      gantry.v1.Event.newBuilder().setIndex(6).setTopic("allocation").setType("PlanApplied").setKey(ALLOCATIONS.get(0).getId())
          .setAllocation(ALLOCATIONS.get(0)).build(),
      gantry.v1.Event.newBuilder().setIndex(7).setTopic("scaling").setType("JobScaled").setKey("web/frontend")
          .setScale(gantry.v1.ScaleMark.newBuilder().setFrom(2).setTo(3).setReason("scaled by a user: group frontend 2 -> 3")).build());
  /** Every WatchEvents request, in order. */
  static final List<gantry.v1.WatchEventsRequest> WATCHES = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static final class Service extends ControlServiceGrpc.ControlServiceImplBase {
    /**
     * The canned events after the request's index that match its topics (checked as a manager
     * checks them), then the end of the stream. Index 1 is older than what this server keeps (5 on):
     * an EventsLost notice first. Key "flaky" scripts a failing manager: its first stream breaks
     * with UNAVAILABLE after the events of 5 and 6; the key filters nothing.
     */
    @Override
    public void watchEvents(gantry.v1.WatchEventsRequest request, StreamObserver<gantry.v1.WatchEventsResponse> out) {
      WATCHES.add(request);
      java.util.Set<gantry.node.events.Topic> topics;
      try {
        topics = gantry.node.events.Topic.parse(request.getTopicsList(), "topics");
      } catch (RuntimeException e) {
        out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        return;
      }
      if (request.getIndex() == 1) {
        out.onNext(gantry.v1.WatchEventsResponse.newBuilder().setLost(gantry.v1.EventsLost.newBuilder().setRequestedIndex(1)
            .setOldestIndex(5).setMessage("events after index 1 are no longer all kept on this manager")).build());
      }
      boolean breaks = request.getKey().equals("flaky") && WATCHES.stream().filter(w -> w.getKey().equals("flaky")).count() == 1;
      for (gantry.v1.Event e : EVENTS) {
        if (e.getIndex() <= request.getIndex()) continue;
        if (breaks && e.getIndex() > 6) break;
        if (topics.isEmpty() || topics.stream().anyMatch(t -> t.wireName().equals(e.getTopic()))) {
          out.onNext(gantry.v1.WatchEventsResponse.newBuilder().setEvent(e).build());
        }
      }
      if (breaks) {
        out.onError(Status.UNAVAILABLE.withDescription("manager stopping").asRuntimeException());
      } else {
        out.onCompleted();
      }
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
      out.onNext(ListJobsResponse.newBuilder().addJobs(WEB).setAppliedIndex(7).build());
      out.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<GetJobResponse> out) {
      if (request.getName().equals("api")) {
        out.onNext(GetJobResponse.newBuilder().setJob(API).setAppliedIndex(7).setLatestDeployment(API_BLOCKED).build());
        out.onCompleted();
        return;
      }
      if (!request.getName().equals("web")) {
        out.onError(Status.NOT_FOUND.withDescription("no job named " + request.getName()).asRuntimeException());
        return;
      }
      out.onNext(GetJobResponse.newBuilder().setJob(WEB).setAppliedIndex(7).addGroups(FRONTEND)
          .setLatestDeployment(WEB_ROLLING).build());
      out.onCompleted();
    }

    @Override
    public void registerJob(RegisterJobRequest request, StreamObserver<RegisterJobResponse> out) {
      var spec = request.getSpec();
      for (int i = 0; i < spec.getGroupsCount(); i++) {
        if (spec.getGroups(i).hasCount() && spec.getGroups(i).getCount() < 0) {
          out.onError(Status.INVALID_ARGUMENT.withDescription("groups[" + i + "].count: must be >= 0").asRuntimeException());
          return;
        }
      }
      boolean same = spec.getName().equals("web");
      boolean rolls = SCRIPTS.containsKey(spec.getName());
      if (rolls) STEPS.put(spec.getName(), new AtomicInteger());
      var job = Job.newBuilder().setName(spec.getName()).setVersion(same ? 2 : rolls ? 3 : 1).setSpec(spec).build();
      out.onNext(RegisterJobResponse.newBuilder().setJob(job).setChanged(!same).setIndex(9).build());
      out.onCompleted();
    }

    @Override
    public void listDeployments(ListDeploymentsRequest request, StreamObserver<ListDeploymentsResponse> out) {
      List<Deployment> all = new ArrayList<>(DEPLOYMENTS);
      SCRIPTS.forEach((job, script) -> {
        if (STEPS.containsKey(job)) all.add(script.get(Math.min(STEPS.get(job).get(), script.size() - 1)));
      });
      out.onNext(ListDeploymentsResponse.newBuilder()
          .addAllDeployments(all.stream().filter(d -> request.getJob().isEmpty() || d.getJob().equals(request.getJob())).toList())
          .build());
      out.onCompleted();
    }

    @Override
    public void getDeployment(GetDeploymentRequest request, StreamObserver<GetDeploymentResponse> out) {
      for (var e : SCRIPTS.entrySet()) {
        if (e.getValue().getFirst().getId().equals(request.getId()) && STEPS.containsKey(e.getKey())) {
          int step = Math.min(STEPS.get(e.getKey()).incrementAndGet(), e.getValue().size() - 1);
          if (e.getValue().get(step) == UNAVAILABLE) {
            out.onError(Status.UNAVAILABLE.withDescription(NO_LEADER).asRuntimeException());
            return;
          }
          out.onNext(GetDeploymentResponse.newBuilder().setDeployment(e.getValue().get(step)).build());
          out.onCompleted();
          return;
        }
      }
      var found = resolve(request.getId(), out);
      if (found == null) return;
      out.onNext(GetDeploymentResponse.newBuilder().setDeployment(found).build());
      out.onCompleted();
    }

    /** The server's rules for an id or a prefix, over the deployments that are not scripted; null once refused. */
    private static Deployment resolve(String id, StreamObserver<?> out) {
      var matches = DEPLOYMENTS.stream().filter(d -> d.getId().startsWith(id)).toList();
      if (matches.isEmpty()) {
        out.onError(Status.NOT_FOUND.withDescription("deployment \"" + id + "\" not found").asRuntimeException());
        return null;
      }
      if (matches.size() > 1) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("id: prefix \"" + id + "\" matches more than one deployment")
            .asRuntimeException());
        return null;
      }
      return matches.getFirst();
    }

    /**
     * The rules of control.proto (promote: a deployment with canaries still to promote; pause: a
     * running one; resume: a paused one; fail: any not ended), answering the moved deployment
     * without keeping it, so that every test sees the same fixtures.
     */
    @Override
    public void changeDeployment(ChangeDeploymentRequest request, StreamObserver<ChangeDeploymentResponse> out) {
      lastChange = request;
      var d = resolve(request.getId(), out);
      if (d == null) return;
      var status = d.getStatus();
      String refusal = null;
      var moved = d.toBuilder();
      switch (request.getAction()) {
        case DEPLOYMENT_ACTION_PROMOTE -> {
          boolean canaries = d.getGroupsMap().values().stream().anyMatch(g -> g.getDesiredCanaries() > 0 && !g.getPromoted());
          if (!canaries) {
            refusal = "it has no canaries to promote";
          } else {
            moved.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("promoted; replacing the old allocations");
            d.getGroupsMap().forEach((name, g) -> moved.putGroups(name, g.toBuilder().setPromoted(true).build()));
          }
        }
        case DEPLOYMENT_ACTION_PAUSE -> {
          if (status != DeploymentStatus.DEPLOYMENT_STATUS_RUNNING) refusal = "only a running deployment can be paused";
          moved.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_PAUSED).setStatusDescription("paused by an operator");
        }
        case DEPLOYMENT_ACTION_RESUME -> {
          if (status != DeploymentStatus.DEPLOYMENT_STATUS_PAUSED) refusal = "only a paused deployment can be resumed";
          moved.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("deployment is running");
        }
        case DEPLOYMENT_ACTION_FAIL -> {
          if (status == DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL || status == DeploymentStatus.DEPLOYMENT_STATUS_FAILED
              || status == DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED) {
            refusal = "it has ended";
          }
          moved.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_FAILED).setStatusDescription("failed by an operator");
        }
        default -> {
          out.onError(Status.INVALID_ARGUMENT.withDescription("action: must be promote, fail, pause or resume")
              .asRuntimeException());
          return;
        }
      }
      if (refusal != null) {
        out.onError(Status.FAILED_PRECONDITION.withDescription("deployment " + d.getId().substring(0, 8) + " is "
            + status.name().substring("DEPLOYMENT_STATUS_".length()).toLowerCase(java.util.Locale.ROOT) + ": " + refusal)
            .asRuntimeException());
        return;
      }
      out.onNext(ChangeDeploymentResponse.newBuilder().setDeployment(moved).setIndex(12).build());
      out.onCompleted();
    }

    /**
     * A scripted job ("roll-...") has versions 1 and 2; reverting to either registers version 3 and
     * starts its script over, as job run does. web reverted to version 1 is version 3 (without a
     * deployment), to version 2 (its current spec) unchanged.
     */
    @Override
    public void revertJob(RevertJobRequest request, StreamObserver<RevertJobResponse> out) {
      lastRevert = request;
      String name = request.getName();
      boolean scripted = SCRIPTS.containsKey(name);
      if (!scripted && !name.equals("web")) {
        out.onError(Status.NOT_FOUND.withDescription("job \"" + name + "\" not found").asRuntimeException());
        return;
      }
      long current = scripted ? 2 : WEB.getVersion();
      if (request.getVersion() < 1 || request.getVersion() > current) {
        out.onError(Status.NOT_FOUND.withDescription("job \"" + name + "\" has no version " + request.getVersion())
            .asRuntimeException());
        return;
      }
      boolean changed = request.getVersion() != current;
      if (scripted) STEPS.put(name, new AtomicInteger());
      var job = Job.newBuilder().setName(name).setVersion(changed ? current + 1 : current).build();
      out.onNext(RevertJobResponse.newBuilder().setJob(job).setChanged(changed).setIndex(13).build());
      out.onCompleted();
    }

    @Override
    public void listJobVersions(ListJobVersionsRequest request, StreamObserver<ListJobVersionsResponse> out) {
      if (!request.getJob().equals("web")) {
        out.onError(Status.NOT_FOUND.withDescription("no job named " + request.getJob()).asRuntimeException());
        return;
      }
      out.onNext(ListJobVersionsResponse.newBuilder().addVersions(WEB_V1).addVersions(WEB).build());
      out.onCompleted();
    }

    @Override
    public void deregisterJob(DeregisterJobRequest request, StreamObserver<DeregisterJobResponse> out) {
      if (!request.getName().equals("web")) {
        out.onError(Status.NOT_FOUND.withDescription("no job named " + request.getName()).asRuntimeException());
        return;
      }
      out.onNext(DeregisterJobResponse.newBuilder().setJob(WEB.toBuilder().setStatus(JobStatus.JOB_STATUS_STOPPED)).setChanged(true).build());
      out.onCompleted();
    }

    @Override
    public void listPeers(ListPeersRequest request, StreamObserver<ListPeersResponse> out) {
      out.onNext(ListPeersResponse.newBuilder()
          .addPeers(Peer.newBuilder().setId("m1").setRaftAddress("127.0.0.1:4648").setGrpcAddress("127.0.0.1:4647").setLeader(true))
          .addPeers(Peer.newBuilder().setId("m2").setRaftAddress("127.0.0.1:5648").setGrpcAddress("127.0.0.1:1"))
          .build());
      out.onCompleted();
    }

    @Override
    public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
      out.onNext(ListNodesResponse.newBuilder().addAllNodes(NODES).setAppliedIndex(7).build());
      out.onCompleted();
    }

    @Override
    public void listAllocations(ListAllocationsRequest request, StreamObserver<ListAllocationsResponse> out) {
      var matching = ALLOCATIONS.stream()
          .filter(a -> request.getJob().isEmpty() || a.getJob().equals(request.getJob()))
          .filter(a -> request.getNode().isEmpty() || a.getNodeName().equals(request.getNode())
              || a.getNodeId().equals(request.getNode()))
          .toList();
      out.onNext(ListAllocationsResponse.newBuilder().addAllAllocations(matching).setAppliedIndex(7).build());
      out.onCompleted();
    }

    @Override
    public void drainNode(DrainNodeRequest request, StreamObserver<DrainNodeResponse> out) {
      var node = NODES.stream().filter(n -> n.getName().equals(request.getNode()) || n.getId().equals(request.getNode()))
          .findFirst();
      if (node.isEmpty()) {
        out.onError(Status.NOT_FOUND.withDescription("no node named " + request.getNode()).asRuntimeException());
        return;
      }
      lastDrain = request;
      var drained = node.get().toBuilder().setDraining(request.getDrain()).setEligible(!request.getDrain()).build();
      out.onNext(DrainNodeResponse.newBuilder().setNode(drained).setIndex(11).build());
      out.onCompleted();
    }
  }
}
