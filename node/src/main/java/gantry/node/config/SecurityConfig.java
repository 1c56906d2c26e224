package gantry.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a manager protects its ports: mutual TLS, ACLs, the audit log and the request limits.
 * Loaded with the rest of {@link ServerConfig} from the keys {@code tls_ca, tls_cert, tls_key,
 * acl, max_message_bytes, max_streams_per_connection, unary_deadline, rate_per_token,
 * rate_burst, audit_max_bytes, audit_keep}.
 *
 * @param tls the CA, certificate and key files, or empty for plaintext
 * @param acl deny by default: every request needs a token whose policies allow it
 * @param maxMessageBytes the largest gRPC message a caller may send
 * @param maxStreamsPerConnection the most calls one connection may have open at once
 * @param unaryDeadline the longest a unary call may run on the server, whatever deadline the
 *     caller set
 * @param ratePerToken requests per second one token (or, without a token, one remote address)
 *     may make, sustained
 * @param rateBurst requests one token may make at once above the sustained rate
 * @param auditMaxBytes the size at which {@code audit.log} is rotated
 * @param auditKeep how many rotated audit files are kept beside the current one
 */
public record SecurityConfig(
    Optional<TlsPaths> tls,
    boolean acl,
    int maxMessageBytes,
    int maxStreamsPerConnection,
    Duration unaryDeadline,
    int ratePerToken,
    int rateBurst,
    long auditMaxBytes,
    int auditKeep) {

  /** The three PEM files of mutual TLS: the cluster CA, this process's certificate and its key. */
  public record TlsPaths(Path ca, Path cert, Path key) {}

  /** Plaintext, no ACLs, and the default limits. */
  public static SecurityConfig defaults() {
    return new SecurityConfig(Optional.empty(), false, 16 << 20, 1_000, Duration.ofSeconds(60), 1_000, 2_000,
        64L << 20, 5);
  }
}
