package gantry.node.guard;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per caller key (a hash of the caller's token, or its address): each holds up
 * to {@code burst} permits and refills at {@code perSecond}; a request takes one permit or is
 * refused with the time until the next one. Pure apart from the injected nano clock, so tests
 * drive it with a fake one.
 *
 * <p>A bucket that has refilled to full is the same as no bucket, so the map is swept of full
 * buckets when it grows past {@link #SWEEP_AT} keys: many one-off callers cost no lasting memory.
 */
public final class RateLimiter {
  static final int SWEEP_AT = 10_000;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** The outcome of one request. */
  public sealed interface Decision {
    /** Within the limit. */
    record Allowed() implements Decision {}

    /** Over the limit; a permit is free again after {@code retryAfterNanos}. */
    record Refused(long retryAfterNanos) implements Decision {
      /** The wait rounded up to whole milliseconds, at least 1. */
      public long retryAfterMillis() {
        return Math.max(1, (retryAfterNanos + 999_999) / 1_000_000);
      }
    }
  }

  private static final Decision ALLOWED = new Decision.Allowed();

  private final int perSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** Permits (scaled by {@link #NANOS_PER_SECOND}, so refills need no fractions) as of a time. */
  private record Bucket(long scaledPermits, long at) {}

  /**
   * @param perSecond sustained requests per second per key (rate_per_token)
   * @param burst requests a key may make at once (rate_burst)
   * @param nanoClock {@link System#nanoTime} outside tests
   */
  public RateLimiter(int perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond < 1) throw new IllegalArgumentException("rate_per_token: must be at least 1, got " + perSecond);
    if (burst < 1) throw new IllegalArgumentException("rate_burst: must be at least 1, got " + burst);
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  public int perSecond() {
    return perSecond;
  }

  /** Takes a permit for {@code key} if one is free. */
  public Decision acquire(String key) {
    long now = nanoClock.getAsLong();
    if (buckets.size() > SWEEP_AT) sweep(now);
    Decision[] decision = new Decision[1];
    buckets.compute(key, (k, b) -> {
      long permits = b == null ? full() : refilled(b, now);
      if (permits >= NANOS_PER_SECOND) {
        decision[0] = ALLOWED;
        return new Bucket(permits - NANOS_PER_SECOND, now);
      }
      // missing scaled permits / (perSecond scaled permits per second) = seconds; in nanos:
      long missing = NANOS_PER_SECOND - permits;
      decision[0] = new Decision.Refused(ceilDiv(missing, perSecond));
      return new Bucket(permits, now);
    });
    return decision[0];
  }

  /** The refusal every endpoint gives, naming the setting: "rate limit: more than 1000 requests/s for this token (rate_per_token); retry in 12ms". */
  public String refusal(String key, Decision.Refused refused) {
    return "rate limit: more than " + perSecond + " requests/s for this " + (CallerKey.isToken(key) ? "token" : "address")
        + " (rate_per_token); retry in " + refused.retryAfterMillis() + "ms";
  }

  /** How many keys have a bucket (for tests of the sweep). */
  int keys() {
    return buckets.size();
  }

  private long full() {
    return burst * NANOS_PER_SECOND;
  }

  /** Elapsed nanos x perSecond = scaled permits added, capped at a full bucket. */
  private long refilled(Bucket b, long now) {
    long elapsed = Math.max(0, now - b.at);
    long room = full() - b.scaledPermits;
    // elapsed * perSecond may overflow after long idle periods: compare before multiplying.
    if (elapsed >= ceilDiv(room, perSecond)) return full();
    return b.scaledPermits + elapsed * perSecond;
  }

  private void sweep(long now) {
    buckets.entrySet().removeIf(e -> refilled(e.getValue(), now) >= full());
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
