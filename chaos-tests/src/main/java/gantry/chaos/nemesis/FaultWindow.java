package gantry.chaos.nemesis;

/**
 * A fault as it happened: active from {@code startNanos} (injected) to {@code endNanos}
 * (healed), on the run's clock. {@code skipped} when it could not be injected here (the
 * detail says why). {@code problem} is empty unless the fault did not do what it claims
 * (a partition that cut nothing, a heal that left a rule behind, a snapshot install that
 * never happened): such a window fails the run, since whatever passed under it was not
 * tested.
 */
public record FaultWindow(String fault, String detail, long startNanos, long endNanos, boolean skipped, String problem) {
  public boolean injected() {
    return !skipped;
  }
}
