package gantry.client.resolver;

import java.time.Duration;

/**
 * Delays between attempts to reopen a watch: {@code initial}, doubling up to {@code max}, back to
 * {@code initial} once a manager answers. Not thread-safe (the resolver uses it from its
 * synchronization context only).
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private long nextMillis;

  Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + ", " + max);
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.nextMillis = initialMillis;
  }

  long nextMillis() {
    long now = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    return now;
  }

  void reset() {
    nextMillis = initialMillis;
  }
}
