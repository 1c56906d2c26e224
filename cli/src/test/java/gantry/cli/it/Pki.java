package gantry.cli.it;

import gantry.client.ManagerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster CA and its certificates made with {@code gantry tls}, as the README's production
 * set-up makes them, and the flags and credentials that present them.
 */
final class Pki {
  final Path dir;

  private Pki(Path dir) {
    this.dir = dir;
  }

  /** A new CA in {@code dir} with certificates {@code role:name} (e.g. "server:m1", "client:ops"). */
  static Pki create(Path dir, String... certificates) throws IOException, InterruptedException {
    Gantry.ok(Gantry.run("tls", "ca", "create", "--dir", dir.toString()));
    Pki pki = new Pki(dir);
    for (String c : certificates) pki.issue(c.substring(0, c.indexOf(':')), c.substring(c.indexOf(':') + 1));
    return pki;
  }

  void issue(String role, String name) throws IOException, InterruptedException {
    Gantry.ok(Gantry.run("tls", "cert", "create", "--dir", dir.toString(), "--role", role, "--name", name));
  }

  Path ca() {
    return dir.resolve("ca.pem");
  }

  Path cert(String name) {
    return dir.resolve(name + ".pem");
  }

  Path key(String name) {
    return dir.resolve(name + "-key.pem");
  }

  /** {@code --tls-ca --tls-cert --tls-key} presenting {@code name}'s certificate. */
  List<String> flags(String name) {
    return List.of("--tls-ca", ca().toString(), "--tls-cert", cert(name).toString(), "--tls-key", key(name).toString());
  }

  ManagerCredentials credentials(String name) {
    return ManagerCredentials.tls(ca(), cert(name), key(name));
  }

  /** {@code args} followed by {@code name}'s TLS flags and, unless null, {@code --token token}. */
  String[] as(String name, String token, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(flags(name));
    if (token != null) {
      all.add("--token");
      all.add(token);
    }
    return all.toArray(String[]::new);
  }

  /**
   * {@code gantry acl bootstrap} as {@code name}, repeated until a leader takes it; the
   * management token's secret.
   */
  String bootstrap(String addresses, String name) {
    String[] secret = new String[1];
    PeerProcesses.await("acl bootstrap", Duration.ofSeconds(90), () -> {
      try {
        var r = Gantry.runAt(addresses, as(name, null, "acl", "bootstrap", "--json"));
        if (r.exit() != 0) return false;
        secret[0] = secret(r.stdout());
        return true;
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    return secret[0];
  }

  /** The secret in the JSON of {@code acl bootstrap --json} or {@code acl token create --json}. */
  static String secret(String json) {
    Matcher m = Pattern.compile("\"secret(?:Id)?\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
    if (!m.find()) throw new AssertionError("no secret in " + json);
    return m.group(1);
  }
}
