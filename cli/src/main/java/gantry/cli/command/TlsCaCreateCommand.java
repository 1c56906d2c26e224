package gantry.cli.command;

import gantry.security.CertificateAuthority;
import gantry.security.InvalidRequestException;
import gantry.security.PemFile;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gantry tls ca create --dir DIR}: a new cluster CA in DIR/ca.pem and DIR/ca-key.pem. */
@Command(name = "create", mixinStandardHelpOptions = true,
    description = {"Create the cluster's certificate authority: DIR/ca.pem (give it to every manager, agent and user)"
        + " and DIR/ca-key.pem (mode 0600; keep it where certificates are made, nowhere else).",
        "ECDSA P-256; it signs leaf certificates only."})
public final class TlsCaCreateCommand implements Callable<Integer> {
  static final String CERTIFICATE = "ca.pem";
  static final String KEY = "ca-key.pem";

  @Mixin
  TlsFileOptions files;

  @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.DEFAULT_DAYS,
      description = "How long the CA is valid (default ${DEFAULT-VALUE} days, five years).")
  int days;

  @Override
  public Integer call() {
    CertificateAuthority ca;
    try {
      ca = CertificateAuthority.create(days, Clock.systemUTC(), new SecureRandom());
    } catch (InvalidRequestException e) {
      throw TlsFileOptions.badFlag(e);
    }
    Path dir = files.directory(true);
    files.write(PemFile.of(dir.resolve(CERTIFICATE), ca.certificate()),
        PemFile.of(dir.resolve(KEY), ca.credentials().privateKey()), "CA");
    return 0;
  }
}
