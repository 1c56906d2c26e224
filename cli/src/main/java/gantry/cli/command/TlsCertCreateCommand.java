package gantry.cli.command;

import gantry.security.CertificateAndKey;
import gantry.security.CertificateAuthority;
import gantry.security.CertificateRequest;
import gantry.security.InvalidRequestException;
import gantry.security.PemFile;
import gantry.security.PemFiles;
import gantry.security.Role;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gantry tls cert create --dir DIR --role R --name N}: a key and a certificate for one
 * manager, agent or user, signed by the CA in DIR, written to DIR/N.pem and DIR/N-key.pem.
 */
@Command(name = "create", mixinStandardHelpOptions = true,
    description = {"Create a certificate signed by the CA in DIR (ca.pem, ca-key.pem): DIR/NAME.pem and DIR/NAME-key.pem (mode 0600).",
        "The role is in the certificate as the SAN DNS name ROLE.gantry. A server certificate also names localhost and 127.0.0.1."})
public final class TlsCertCreateCommand implements Callable<Integer> {
  @Mixin
  TlsFileOptions files;

  @Option(names = "--role", required = true, paramLabel = "server|agent|client",
      description = "server: a manager peer; agent: a worker; client: a user or program with the CLI.")
  String role;

  @Option(names = "--name", required = true, paramLabel = "NAME",
      description = "The subject CN, also a SAN DNS name, and the file name (NAME.pem).")
  String name;

  @Option(names = "--ip", split = ",", paramLabel = "IP", description = "IP addresses to add as SANs: --ip A,B or the flag repeated.")
  List<String> ips = List.of();

  @Option(names = "--dns", split = ",", paramLabel = "HOST", description = "DNS names to add as SANs: --dns H1,H2 or the flag repeated; *.domain allowed.")
  List<String> dnsNames = List.of();

  @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateRequest.DEFAULT_DAYS,
      description = "How long the certificate is valid (default ${DEFAULT-VALUE} days); not beyond the CA's end.")
  int days;

  @Override
  public Integer call() {
    Role parsed = Role.parse(role)
        .orElseThrow(() -> Failure.badInput("--role: must be server, agent or client, got \"" + role + "\""));
    if (name.equalsIgnoreCase("ca")) {
      throw Failure.badInput("--name: \"" + name + "\" is taken: the CA's own files are ca.pem and ca-key.pem");
    }
    CertificateRequest request;
    try {
      request = new CertificateRequest(parsed, name, dnsNames, ips, days);
    } catch (InvalidRequestException e) {
      throw TlsFileOptions.badFlag(e);
    }
    Path dir = files.directory(false);
    CertificateAuthority ca = loadCa(dir);
    CertificateAndKey issued;
    try {
      issued = ca.issue(request, Clock.systemUTC(), new SecureRandom());
    } catch (InvalidRequestException e) {
      throw TlsFileOptions.badFlag(e);
    } catch (CertificateException e) {
      throw Failure.badInput("--dir: " + dir.resolve(TlsCaCreateCommand.CERTIFICATE) + ": " + e.getMessage());
    }
    files.write(PemFile.of(dir.resolve(name + ".pem"), issued.certificate()),
        PemFile.of(dir.resolve(name + "-key.pem"), issued.privateKey()), parsed.id());
    return 0;
  }

  private static CertificateAuthority loadCa(Path dir) {
    Path certificate = dir.resolve(TlsCaCreateCommand.CERTIFICATE);
    Path key = dir.resolve(TlsCaCreateCommand.KEY);
    for (Path file : List.of(certificate, key)) {
      if (!Files.exists(file)) {
        throw Failure.badInput("--dir: no CA in " + dir + ": " + file.getFileName() + " is missing (gantry tls ca create --dir "
            + dir + " makes one)");
      }
    }
    try {
      var credentials = PemFiles.read(certificate, key);
      try {
        return CertificateAuthority.of(credentials);
      } catch (CertificateException e) {
        throw Failure.badInput("--dir: " + certificate + ": " + e.getMessage());
      }
    } catch (GeneralSecurityException e) {
      throw Failure.badInput("--dir: " + e.getMessage());
    } catch (AccessDeniedException e) {
      throw Failure.badInput("--dir: cannot read " + e.getFile() + ": permission denied");
    } catch (IOException e) {
      throw Failure.failed("cannot read the CA in " + dir + ": " + TlsFileOptions.reason(e));
    }
  }
}
