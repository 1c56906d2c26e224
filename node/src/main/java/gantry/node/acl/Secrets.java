package gantry.node.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Token secrets and accessors. A secret is 128 bits from {@link SecureRandom}, made on the manager
 * that takes the request; only its SHA-256 goes into a Raft record, so no log, snapshot or store
 * holds anything a caller could present. The accessor (a random UUID) is the public name.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** A new secret: 32 lower-case hex characters. */
  public static String newSecret() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static String newAccessor() {
    return UUID.randomUUID().toString();
  }

  /** Lower-case hex SHA-256 of the secret's UTF-8 bytes: what is stored and looked up. */
  public static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
