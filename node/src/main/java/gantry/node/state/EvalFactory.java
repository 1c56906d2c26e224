package gantry.node.state;

import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.Job;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Makes evaluations during replay, with ids derived from the entry so every peer agrees. */
final class EvalFactory {
  static final int DEFAULT_PRIORITY = 50;

  private final ClusterState state;

  EvalFactory(ClusterState state) {
    this.state = state;
  }

  /** Creates a pending evaluation of {@code jobName} and marks it ready. */
  Evaluation create(String jobName, String triggeredBy, String nodeId, long index, long timeMs,
      Mutations out, Changes changes) {
    return create(jobName, triggeredBy, nodeId, index, timeMs, 0, out, changes);
  }

  /** As {@link #create}, to be run no earlier than {@code waitUntilMs} (0 = at once). */
  Evaluation create(String jobName, String triggeredBy, String nodeId, long index, long timeMs, long waitUntilMs,
      Mutations out, Changes changes) {
    Job job = state.jobs.get(jobName);
    int priority = job == null || job.getSpec().getPriority() == 0 ? DEFAULT_PRIORITY : job.getSpec().getPriority();
    // The index alone repeats across clusters (every new cluster has an entry 7): the record's
    // time, stamped by the proposer, makes ids (and the allocation ids and container names
    // derived from them) unique beyond this cluster while every peer still computes the same.
    String id = UUID.nameUUIDFromBytes(("eval/" + index + "/" + changes.nextSeq() + "/" + timeMs)
        .getBytes(StandardCharsets.UTF_8)).toString();
    Evaluation e = Evaluation.newBuilder()
        .setId(id)
        .setJob(jobName)
        .setPriority(priority)
        .setTriggeredBy(triggeredBy)
        .setStatus(EvalStatus.EVAL_STATUS_PENDING)
        .setNodeId(nodeId)
        .setJobVersion(job == null ? 0 : job.getVersion())
        .setCreateIndex(index)
        .setModifyIndex(index)
        .setCreateTimeMs(timeMs)
        .setWaitUntilMs(waitUntilMs)
        .build();
    state.putEval(e, out);
    changes.evalReady(id);
    return e;
  }

  /** Capacity appeared: blocked evaluations get another go. */
  void unblock(long index, Mutations out, Changes changes) {
    for (Evaluation e : state.blockedEvals()) {
      state.putEval(e.toBuilder().setStatus(EvalStatus.EVAL_STATUS_PENDING).setModifyIndex(index).build(), out);
      changes.evalReady(e.getId());
    }
  }
}
