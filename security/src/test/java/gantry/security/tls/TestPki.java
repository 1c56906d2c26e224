package gantry.security.tls;

import gantry.security.CertificateAndKey;
import gantry.security.CertificateAuthority;
import gantry.security.CertificateRequest;
import gantry.security.PemFile;
import gantry.security.PemFiles;
import gantry.security.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * A cluster CA in a directory and the certificates tests issue from it, as {@code gantry tls}
 * writes them. Shared with the node, agent and client tests through this module's test jar.
 */
public final class TestPki {
  private final Path dir;
  private final CertificateAuthority ca;

  private TestPki(Path dir, CertificateAuthority ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new CA whose {@code ca.pem} is written in {@code dir}. */
  public static TestPki create(Path dir) throws Exception {
    Files.createDirectories(dir);
    CertificateAuthority ca = CertificateAuthority.create(90, Clock.systemUTC(), new SecureRandom());
    PemFiles.write(List.of(PemFile.of(dir.resolve("ca.pem"), ca.certificate())), true);
    return new TestPki(dir, ca);
  }

  /** Issues (or issues again, overwriting) NAME.pem and NAME-key.pem; the files of a process holding them. */
  public TlsFiles issue(Role role, String name, String... ips) throws Exception {
    return issueAs(role, name, name, ips);
  }

  /** Issues a certificate for {@code name} into the files {@code file}.pem and {@code file}-key.pem. */
  public TlsFiles issueAs(Role role, String name, String file, String... ips) throws Exception {
    CertificateAndKey issued = ca.issue(new CertificateRequest(role, name, List.of(), List.of(ips), 30),
        Clock.systemUTC(), new SecureRandom());
    TlsFiles files = new TlsFiles(dir.resolve("ca.pem"), dir.resolve(file + ".pem"), dir.resolve(file + "-key.pem"));
    PemFiles.write(List.of(PemFile.of(files.cert(), issued.certificate()), PemFile.of(files.key(), issued.privateKey())), true);
    return files;
  }

  public TlsMaterial material(Role role, String name, String... ips) throws Exception {
    return TlsMaterial.load(issue(role, name, ips));
  }
}
