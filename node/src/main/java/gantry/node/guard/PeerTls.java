package gantry.node.guard;

import gantry.node.config.SecurityConfig;
import gantry.security.Role;
import gantry.security.tls.TlsFiles;
import gantry.security.tls.TlsMaterial;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * Reads a manager's TLS files once at start: the one {@link TlsMaterial} its gRPC, Raft and HTTPS
 * ports share, so that one SIGHUP reload reaches all three.
 */
public final class PeerTls {
  private PeerTls() {}

  /**
   * The TLS material the configuration names, or empty for plaintext.
   *
   * @throws IOException naming the file and the reason when a file cannot be used, or the
   *     certificate is not a server-role one
   */
  public static Optional<TlsMaterial> load(SecurityConfig security) throws IOException {
    if (security.tls().isEmpty()) return Optional.empty();
    SecurityConfig.TlsPaths paths = security.tls().get();
    try {
      TlsMaterial material = TlsMaterial.load(new TlsFiles(paths.ca(), paths.cert(), paths.key()));
      Role role = Role.of(material.certificate());
      if (role != Role.SERVER) {
        // the other peers would refuse it on the Raft port; say so at start rather than as failed elections
        throw new IOException("tls_cert: " + paths.cert() + " has role " + role.id() + "; a manager needs "
            + "a server certificate (gantry tls cert create --role server)");
      }
      return Optional.of(material);
    } catch (GeneralSecurityException e) {
      throw new IOException("tls: " + e.getMessage(), e);
    }
  }
}
