package gantry.chaos.workload;

import gantry.chaos.cluster.ManagerCluster;
import gantry.chaos.history.History;
import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.GetJobRequest;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * One workload client on its own thread: until the deadline it picks a job name from a
 * small key space and registers it with a fresh value (a first register or an update),
 * stops it, or reads it (linearizable GetJob), one call at a time, recording each.
 * A client sticks to one manager and moves to the next after a failure, as a user would.
 *
 * <p>Outcomes: ok; fail when the call certainly had no effect (connection refused, a
 * rejected request, any failed read); unknown when a write may have been applied (deadline,
 * UNAVAILABLE after sending).
 */
public final class Client implements Runnable {
  private final String name;
  private final ManagerCluster cluster;
  private final History history;
  private final List<String> keys;
  private final long untilNanos;
  private final Random random;
  private final Duration timeout;
  private final Duration pause;
  private final long rotateNanos;
  private int peer;
  private int written;

  /**
   * @param rotate how long a generation of keys lasts: then every client moves on to fresh
   *     keys ({@code chaos-k0-r7}...), which keeps each key's history short enough for an
   *     exact linearizability search however long the campaign runs (as Jepsen's
   *     independent keys do)
   */
  public Client(String name, int index, ManagerCluster cluster, History history, List<String> keys, long untilNanos,
      long seed, Duration timeout, Duration pause, Duration rotate) {
    this.rotateNanos = rotate.toNanos();
    this.name = name;
    this.cluster = cluster;
    this.history = history;
    this.keys = List.copyOf(keys);
    this.untilNanos = untilNanos;
    this.random = new Random(seed);
    this.timeout = timeout;
    this.pause = pause;
    this.peer = index;
  }

  /**
   * A valid spec for {@code name} carrying {@code value} in its meta. The register workload's job: count 0, so its thousands of versions are pure state for the
   * checkers and never compete with the fleet job for the agents.
   */
  public static JobSpec spec(String name, String value) {
    return JobSpec.newBuilder().setName(name).setType("service").putMeta("chaos.value", value)
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(0)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("60")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }

  @Override
  public void run() {
    while (history.now() < untilNanos && !Thread.currentThread().isInterrupted()) {
      String key = keys.get(random.nextInt(keys.size())) + "-r" + history.now() / rotateNanos;
      int dice = random.nextInt(100);
      Op.Type type = dice < 40 ? Op.Type.REGISTER : dice < 52 ? Op.Type.STOP : Op.Type.READ;
      Op op = call(type, key);
      history.add(op);
      if (op.outcome() != Op.Outcome.OK) peer++;
      try {
        Thread.sleep(pause.toMillis() / 2 + random.nextLong(pause.toMillis() + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Op call(Op.Type type, String key) {
    List<String> ids = cluster.ids();
    String target = ids.get(Math.floorMod(peer, ids.size()));
    String value = type == Op.Type.REGISTER ? name + "-" + (++written) : "";
    long id = history.nextId();
    long invoke = history.now();
    try {
      var stub = cluster.stub(target, timeout);
      JobState seen = switch (type) {
        case REGISTER -> ManagerCluster.JobStates.of(
            stub.registerJob(RegisterJobRequest.newBuilder().setSpec(spec(key, value)).build()).getJob());
        case STOP -> ManagerCluster.JobStates.of(
            stub.deregisterJob(DeregisterJobRequest.newBuilder().setName(key).build()).getJob());
        case READ -> ManagerCluster.JobStates.of(stub.getJob(GetJobRequest.newBuilder().setName(key).build()).getJob());
      };
      return new Op(id, name, key, type, Op.Outcome.OK, invoke, history.now(), value, seen, target, "");
    } catch (StatusRuntimeException e) {
      long done = history.now();
      Status s = e.getStatus();
      String error = s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
      if (s.getCode() == Status.Code.NOT_FOUND && type != Op.Type.REGISTER) {
        return new Op(id, name, key, type, Op.Outcome.OK, invoke, done, value, JobState.ABSENT, target, "");
      }
      return new Op(id, name, key, type, classify(type, e), invoke, done, value, null, target, error);
    } catch (RuntimeException e) {
      return new Op(id, name, key, type, type == Op.Type.READ ? Op.Outcome.FAIL : Op.Outcome.UNKNOWN,
          invoke, history.now(), value, null, target, e.toString());
    }
  }

  /** ok is not a failure: FAIL when the call certainly had no effect, else UNKNOWN (reads always FAIL). */
  public static Op.Outcome classify(Op.Type type, StatusRuntimeException e) {
    if (type == Op.Type.READ) return Op.Outcome.FAIL;
    return switch (e.getStatus().getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, UNIMPLEMENTED ->
          Op.Outcome.FAIL;
      case UNAVAILABLE -> neverSent(e) ? Op.Outcome.FAIL : Op.Outcome.UNKNOWN;
      default -> Op.Outcome.UNKNOWN;
    };
  }

  /** The connection was refused: the request never reached a manager. */
  private static boolean neverSent(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) return true;
    }
    return false;
  }
}
