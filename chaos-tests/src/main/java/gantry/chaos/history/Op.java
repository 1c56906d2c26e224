package gantry.chaos.history;

/**
 * One client call and what came of it.
 *
 * @param id unique, in invoke order
 * @param process the client that made the call ({@code final} for the reads after healing)
 * @param key the job name
 * @param type register (writes {@code written}), stop, or read
 * @param outcome ok, fail (certainly had no effect) or unknown (may or may not have taken effect)
 * @param invokeNanos when the call was sent, relative to the start of the run
 * @param completeNanos when the answer (or the failure) came back
 * @param written the value a register put in the spec; empty for stop and read
 * @param observed the job as the answer showed it; {@link JobState#ABSENT} for NOT_FOUND; null unless ok
 * @param peer the manager the call went to
 * @param error the failure's status and description; empty when ok
 */
public record Op(long id, String process, String key, Type type, Outcome outcome, long invokeNanos,
    long completeNanos, String written, JobState observed, String peer, String error) {

  public enum Type { REGISTER, STOP, READ }

  public enum Outcome { OK, FAIL, UNKNOWN }

  public boolean isWrite() {
    return type != Type.READ;
  }

  public double latencyMs() {
    return (completeNanos - invokeNanos) / 1e6;
  }
}
