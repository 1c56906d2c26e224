package gantry.security;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * One PEM file to write: where, the text, and whether it is a secret (a private key: mode 0600).
 * {@link #toString()} leaves the text out, so a key never reaches a log through this record.
 */
public record PemFile(Path path, String text, boolean secret) {
  public static PemFile of(Path path, X509Certificate certificate) {
    return new PemFile(path, Pem.encode(certificate), false);
  }

  public static PemFile of(Path path, PrivateKey key) {
    return new PemFile(path, Pem.encode(key), true);
  }

  @Override
  public String toString() {
    return "PemFile[" + path + (secret ? ", private key" : ", certificate") + "]";
  }
}
