package gantry.chaos.workload;

import gantry.chaos.cluster.ManagerCluster;
import gantry.chaos.history.History;
import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import gantry.v1.RegisterJobRequest;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/**
 * Writes for the nemesis: registers one job again and again with a fresh value, one call at
 * a time, to fill the Raft log (so that the managers snapshot and purge it). Every call is
 * recorded in the history like a client's (process {@code nemesis}), so the checkers hold
 * these writes to the same rules: they must survive the snapshot install they provoke.
 */
public final class Filler {
  private final ManagerCluster cluster;
  private final History history;
  private final Duration timeout;
  private int written;

  public Filler(ManagerCluster cluster, History history, Duration timeout) {
    this.cluster = cluster;
    this.history = history;
    this.timeout = timeout;
  }

  /** One register of {@code key} through manager {@code peer}; true when acknowledged. */
  public boolean write(String key, String peer) {
    String value = "nemesis-" + (++written);
    long id = history.nextId();
    long invoke = history.now();
    try {
      JobState seen = ManagerCluster.JobStates.of(cluster.stub(peer, timeout)
          .registerJob(RegisterJobRequest.newBuilder().setSpec(Client.spec(key, value)).build()).getJob());
      history.add(new Op(id, "nemesis", key, Op.Type.REGISTER, Op.Outcome.OK, invoke, history.now(), value, seen, peer, ""));
      return true;
    } catch (StatusRuntimeException e) {
      String error = e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
      history.add(new Op(id, "nemesis", key, Op.Type.REGISTER, Client.classify(Op.Type.REGISTER, e), invoke, history.now(),
          value, null, peer, error));
      return false;
    }
  }
}
