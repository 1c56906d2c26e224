package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a fake nano clock: burst, sustained rate, the wait it names, and keys apart. */
class RateLimiterTest {
  final AtomicLong now = new AtomicLong(5_000_000_000L);
  final RateLimiter limiter = new RateLimiter(1000, 3, now::get);

  @Test
  void aBurstPassesThenTheNextWaitsForTheRate() {
    String key = CallerKey.of("secret-token", "127.0.0.1");
    for (int i = 0; i < 3; i++) assertInstanceOf(RateLimiter.Decision.Allowed.class, limiter.acquire(key));
    var refused = assertInstanceOf(RateLimiter.Decision.Refused.class, limiter.acquire(key));
    assertEquals(1_000_000, refused.retryAfterNanos()); // one permit per ms at 1000/s
    assertEquals(1, refused.retryAfterMillis());
    now.addAndGet(999_999);
    assertInstanceOf(RateLimiter.Decision.Refused.class, limiter.acquire(key));
    now.addAndGet(1);
    assertInstanceOf(RateLimiter.Decision.Allowed.class, limiter.acquire(key));
    assertInstanceOf(RateLimiter.Decision.Refused.class, limiter.acquire(key));
  }

  @Test
  void theSustainedRateIsPerSecondAndTheBucketHoldsNoMoreThanTheBurst() {
    RateLimiter slow = new RateLimiter(2, 2, now::get);
    String key = "ip:10.0.0.1";
    int allowed = 0;
    // One attempt every 10 ms from 0 to 10 s inclusive: the burst, then 2 a second.
    for (int i = 0; i <= 1000; i++) {
      if (slow.acquire(key) instanceof RateLimiter.Decision.Allowed) allowed++;
      now.addAndGet(10_000_000);
    }
    assertEquals(2 + 20, allowed, "burst of 2, then 2/s for 10 s");
    now.addAndGet(3_600_000_000_000L); // an hour idle refills to the burst, not beyond
    assertInstanceOf(RateLimiter.Decision.Allowed.class, slow.acquire(key));
    assertInstanceOf(RateLimiter.Decision.Allowed.class, slow.acquire(key));
    var refused = assertInstanceOf(RateLimiter.Decision.Refused.class, slow.acquire(key));
    assertEquals(500, refused.retryAfterMillis());
  }

  @Test
  void keysHaveTheirOwnBucketsAndTheMessageNamesTheSetting() {
    String a = CallerKey.of("token-a", "127.0.0.1");
    String b = CallerKey.of("token-b", "127.0.0.1");
    String ip = CallerKey.of(null, "127.0.0.1");
    for (int i = 0; i < 3; i++) limiter.acquire(a);
    var refused = assertInstanceOf(RateLimiter.Decision.Refused.class, limiter.acquire(a));
    assertInstanceOf(RateLimiter.Decision.Allowed.class, limiter.acquire(b));
    assertInstanceOf(RateLimiter.Decision.Allowed.class, limiter.acquire(ip));
    now.addAndGet(-12_000_000); // the clock is only read, never trusted to move forward
    assertEquals("rate limit: more than 1000 requests/s for this token (rate_per_token); retry in 1ms",
        limiter.refusal(a, refused));
    assertEquals("rate limit: more than 1000 requests/s for this address (rate_per_token); retry in 1ms",
        limiter.refusal(ip, refused));
  }

  @Test
  void aKeyHoldsNoSecretAndIsStable() {
    String key = CallerKey.of("s3cr3t-value", "10.1.2.3");
    assertTrue(key.startsWith("token:"), key);
    assertTrue(!key.contains("s3cr3t"), key);
    assertEquals(key, CallerKey.of("s3cr3t-value", "10.9.9.9")); // the token counts, not where it comes from
    assertEquals("ip:10.1.2.3", CallerKey.of("", "10.1.2.3"));
  }

  @Test
  void fullBucketsAreSweptSoOneOffCallersCostNoLastingMemory() {
    RateLimiter many = new RateLimiter(1000, 1, now::get);
    for (int i = 0; i <= RateLimiter.SWEEP_AT; i++) many.acquire("ip:10.0." + i);
    assertEquals(RateLimiter.SWEEP_AT + 1, many.keys());
    now.addAndGet(1_000_000); // every bucket refilled
    many.acquire("ip:one-more");
    assertEquals(1, many.keys());
  }

  @Test
  void badSettingsAreRefusedNamingThem() {
    var e = assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 1, now::get));
    assertTrue(e.getMessage().startsWith("rate_per_token: "), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RateLimiter(1, 0, now::get));
    assertTrue(e.getMessage().startsWith("rate_burst: "), e.getMessage());
  }
}
