package gantry.chaos.nemesis;

/**
 * A fault as it happened: active from {@code startNanos} (injected) to {@code endNanos}
 * (healed), on the run's clock. {@code skipped} when it could not be injected here (the
 * note says why).
 */
public record FaultWindow(String fault, String detail, long startNanos, long endNanos, boolean skipped) {}
