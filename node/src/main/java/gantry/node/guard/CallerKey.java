package gantry.node.guard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Whom a rate limit counts: a token's SHA-256 (never the token itself, so the limiter's map and
 * anything that prints a key hold no secret), or, for a caller without a token, its IP address
 * (the port differs per connection and would let one host open fresh buckets).
 */
public final class CallerKey {
  /** gRPC metadata key and (case-insensitively) HTTP header of a caller's token. */
  public static final String TOKEN_HEADER = "x-gantry-token";

  private CallerKey() {}

  /**
   * @param token the token the caller sent, or null/empty
   * @param host the caller's IP address (no port)
   * @return "token:" + hex digest, or "ip:" + host
   */
  public static String of(String token, String host) {
    if (token != null && !token.isEmpty()) return "token:" + sha256(token);
    return "ip:" + (host == null ? "" : host);
  }

  /** Whether a key counts a token (the error says "for this token") or an address. */
  public static boolean isToken(String key) {
    return key.startsWith("token:");
  }

  private static String sha256(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
