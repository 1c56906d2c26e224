package gantry.chaos.cluster;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.MountableFile;

/**
 * The run's certificate authority, made with the {@code gantry tls} verbs of the jar under test
 * (the suite sees the system through its CLI and protos only): a server certificate per manager
 * naming its fixed address, an agent certificate per agent, and a client certificate for the
 * suite's own calls. Files live in a directory of the run's report; each container gets its own
 * certificate copied to {@value #DIR}.
 */
public final class ClusterPki {
  /** Where a container finds ca.pem, NAME.pem and NAME-key.pem. */
  static final String DIR = "/etc/gantry-tls";
  private static final String CLIENT = "chaos-suite";

  private final Path jar;
  private final Path dir;

  private ClusterPki(Path jar, Path dir) {
    this.jar = jar;
    this.dir = dir;
  }

  /** A new CA in {@code dir} and the suite's client certificate, made by {@code jar}. */
  public static ClusterPki create(Path jar, Path dir) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) throw new IOException("no " + jar + " to make the certificates with: build the CLI first");
    ClusterPki pki = new ClusterPki(jar, dir);
    pki.gantry("tls", "ca", "create", "--dir", dir.toString());
    pki.issue("client", CLIENT, null);
    return pki;
  }

  /** A certificate for {@code name} with {@code role}; {@code ip}, if not null, is also in its names. */
  void issue(String role, String name, String ip) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("tls", "cert", "create", "--dir", dir.toString(), "--role", role, "--name", name));
    if (ip != null) args.addAll(List.of("--ip", ip));
    gantry(args.toArray(String[]::new));
  }

  /** Copies the CA and {@code name}'s certificate into the container; the flags that use them. */
  List<String> mount(GenericContainer<?> container, String name) {
    for (String file : List.of("ca.pem", name + ".pem", name + "-key.pem")) {
      container.withCopyToContainer(MountableFile.forHostPath(dir.resolve(file), 0644), DIR + "/" + file);
    }
    return List.of("--tls-ca", DIR + "/ca.pem", "--tls-cert", DIR + "/" + name + ".pem", "--tls-key", DIR + "/" + name + "-key.pem");
  }

  /** The suite's client side: trusts the run's CA, presents its client certificate, TLS 1.3. */
  SslContext clientContext() {
    try {
      return GrpcSslContexts.forClient().trustManager(dir.resolve("ca.pem").toFile())
          .keyManager(dir.resolve(CLIENT + ".pem").toFile(), dir.resolve(CLIENT + "-key.pem").toFile())
          .protocols("TLSv1.3").build();
    } catch (SSLException e) {
      throw new IllegalStateException("the run's client certificate in " + dir + " is not usable: " + e.getMessage(), e);
    }
  }

  private void gantry(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("gantry " + String.join(" ", args) + " failed: " + out.strip());
    }
  }
}
