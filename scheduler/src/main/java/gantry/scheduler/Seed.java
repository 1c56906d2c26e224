package gantry.scheduler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The only source of randomness in the scheduler: derived from the evaluation id, so the
 * same evaluation on the same snapshot gives the same plan on every peer and every run.
 */
public final class Seed {
  private final long hi;
  private final long lo;
  private int counter;

  private Seed(long hi, long lo) {
    this.hi = hi;
    this.lo = lo;
  }

  public static Seed of(String evalId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(evalId.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      long l = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
        l = (l << 8) | (d[8 + i] & 0xff);
      }
      return new Seed(h, l);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  /** SplitMix64 finalizer: a cheap bijective mix. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A stable pseudo-random value for (this seed, salt, i): tie-breaks and port offsets. */
  public long hash(long salt, long i) {
    return mix(hi ^ mix(lo + salt * 0x9e3779b97f4a7c15L + i));
  }

  /** The next allocation id: UUID-shaped (version 4 bits set), unique per (eval, counter). */
  public String nextAllocId() {
    int n = counter++;
    long a = mix(hi + n * 0x9e3779b97f4a7c15L);
    long b = mix(lo ^ mix(n + 0x632be59bd9b4e019L));
    a = (a & ~0xf000L) | 0x4000L;
    b = (b & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new java.util.UUID(a, b).toString();
  }
}
