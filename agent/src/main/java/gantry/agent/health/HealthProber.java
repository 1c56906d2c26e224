package gantry.agent.health;

/** Runs one check once. The network is behind this so the runner can be tested without it. */
public interface HealthProber {

  /** The outcome of one probe; {@code detail} says what was seen ("HTTP 200", "connection refused"). */
  record Result(boolean healthy, String detail) {}

  /** Probes {@code check}, giving up after its timeout. Never throws. */
  Result probe(HealthCheck check);
}
