package gantry.security.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The three PEM files of mutual TLS: the cluster CA that every peer must be signed by, this
 * process's certificate, and its key.
 *
 * @param ca the cluster CA's certificate ({@code ca.pem})
 * @param cert this process's certificate ({@code NAME.pem})
 * @param key the private key of {@code cert} ({@code NAME-key.pem})
 */
public record TlsFiles(Path ca, Path cert, Path key) {
  public TlsFiles {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }

  /** "ca, cert, key" for log lines. */
  public String describe() {
    return ca + ", " + cert + ", " + key;
  }
}
