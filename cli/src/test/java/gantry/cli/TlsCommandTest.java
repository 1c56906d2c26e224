package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import gantry.security.PemFiles;
import gantry.security.Role;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry tls ca create} and {@code gantry tls cert create} through the whole command tree,
 * on real files: what they write and print, and how they refuse (exit 2, one line naming the flag or the file).
 */
class TlsCommandTest {
  @TempDir
  Path tmp;

  private Path pki() {
    return tmp.resolve("pki");
  }

  private Cli ca(String... extra) {
    return Cli.run(concat(new String[] {"tls", "ca", "create", "--dir", pki().toString()}, extra));
  }

  private Cli cert(String role, String name, String... extra) {
    return Cli.run(concat(new String[] {"tls", "cert", "create", "--dir", pki().toString(), "--role", role, "--name", name}, extra));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static X509Certificate parse(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static void assertOk(Cli result) {
    assertEquals(0, result.exitCode(), result.err());
    assertEquals("", result.err());
    assertFalse(result.out().contains("PRIVATE KEY"), "a key is never printed");
  }

  private static void assertBadInput(Cli result, String expectedLine) {
    assertEquals(2, result.exitCode(), result.out() + result.err());
    assertEquals(expectedLine, result.err().strip());
    assertEquals(1, result.err().strip().lines().count(), result.err());
    assertEquals("", result.out());
  }

  @Test
  void caCreateWritesTheCaAndItsOwnerOnlyKey() throws Exception {
    var result = ca();
    assertOk(result);
    assertEquals(List.of("Wrote " + pki().resolve("ca.pem") + " (CA certificate)",
        "Wrote " + pki().resolve("ca-key.pem") + " (CA private key, mode 0600)"), result.out().lines().toList());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki())), "a new DIR is owner-only");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki().resolve("ca-key.pem"))));
    assertTrue(Files.readString(pki().resolve("ca-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    X509Certificate ca = parse(pki().resolve("ca.pem"));
    assertEquals(0, ca.getBasicConstraints());
    ca.verify(ca.getPublicKey());
    PemFiles.read(pki().resolve("ca.pem"), pki().resolve("ca-key.pem")); // the key is the certificate's
  }

  @Test
  void certCreateIssuesEachRoleFromTheCaInDir() throws Exception {
    assertOk(ca());
    X509Certificate ca = parse(pki().resolve("ca.pem"));
    Map<String, List<String>> args = Map.of(
        "server", List.of("--ip", "10.0.0.1,10.0.0.2", "--dns", "m1.example.com", "--ip", "::1"),
        "agent", List.of("--days", "30"),
        "client", List.of());
    for (Role role : Role.values()) {
      String name = role.id() + "-1";
      var result = cert(role.id(), name, args.get(role.id()).toArray(String[]::new));
      assertOk(result);
      Path certFile = pki().resolve(name + ".pem");
      Path keyFile = pki().resolve(name + "-key.pem");
      assertEquals(List.of("Wrote " + certFile + " (" + role.id() + " certificate)",
          "Wrote " + keyFile + " (" + role.id() + " private key, mode 0600)"), result.out().lines().toList());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));

      X509Certificate cert = parse(certFile);
      cert.verify(ca.getPublicKey());
      assertEquals(role, Role.of(cert));
      assertEquals("CN=" + name, cert.getSubjectX500Principal().getName());
      PemFiles.read(certFile, keyFile);
      long days = java.time.Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
      assertEquals(role == Role.AGENT ? 30 : 365, days, role + " validity");
    }
    var server = parse(pki().resolve("server-1.pem"));
    assertEquals(List.of("server-1", "server.gantry", "localhost", "m1.example.com", "127.0.0.1", "10.0.0.1", "10.0.0.2",
        "0:0:0:0:0:0:0:1"), server.getSubjectAlternativeNames().stream().map(san -> san.get(1)).toList());
  }

  @Test
  void jsonPrintsThePathsWritten() throws Exception {
    var caResult = ca("--json");
    assertOk(caResult);
    var paths = Struct.newBuilder();
    JsonFormat.parser().merge(caResult.out(), paths);
    assertEquals(pki().resolve("ca.pem").toAbsolutePath().toString(), paths.getFieldsOrThrow("certificate").getStringValue());
    assertEquals(pki().resolve("ca-key.pem").toAbsolutePath().toString(), paths.getFieldsOrThrow("key").getStringValue());

    var certResult = cert("client", "alice", "--json");
    assertOk(certResult);
    var certPaths = Struct.newBuilder();
    JsonFormat.parser().merge(certResult.out(), certPaths);
    assertEquals(Map.of("certificate", pki().resolve("alice.pem").toAbsolutePath().toString(),
            "key", pki().resolve("alice-key.pem").toAbsolutePath().toString()),
        Map.of("certificate", certPaths.getFieldsOrThrow("certificate").getStringValue(),
            "key", certPaths.getFieldsOrThrow("key").getStringValue()));
  }

  @Test
  void existingFilesAreKeptUnlessForced() throws Exception {
    assertOk(ca());
    byte[] caBefore = Files.readAllBytes(pki().resolve("ca.pem"));
    byte[] caKeyBefore = Files.readAllBytes(pki().resolve("ca-key.pem"));
    assertBadInput(ca(), pki().resolve("ca.pem") + " already exists (--force overwrites it)");
    assertArrayEquals(caBefore, Files.readAllBytes(pki().resolve("ca.pem")));
    assertArrayEquals(caKeyBefore, Files.readAllBytes(pki().resolve("ca-key.pem")));

    assertOk(cert("agent", "a1"));
    byte[] keyBefore = Files.readAllBytes(pki().resolve("a1-key.pem"));
    Files.delete(pki().resolve("a1.pem"));
    assertBadInput(cert("agent", "a1"), pki().resolve("a1-key.pem") + " already exists (--force overwrites it)");
    assertFalse(Files.exists(pki().resolve("a1.pem")), "nothing written when one of the two exists");
    assertArrayEquals(keyBefore, Files.readAllBytes(pki().resolve("a1-key.pem")));

    assertOk(cert("agent", "a1", "--force"));
    assertFalse(java.util.Arrays.equals(keyBefore, Files.readAllBytes(pki().resolve("a1-key.pem"))), "a new key");
    PemFiles.read(pki().resolve("a1.pem"), pki().resolve("a1-key.pem"));
    assertOk(ca("--force"));
    assertFalse(java.util.Arrays.equals(caKeyBefore, Files.readAllBytes(pki().resolve("ca-key.pem"))), "a new CA");
  }

  @Test
  void badInputExitsTwoNamingTheFlag() throws Exception {
    assertBadInput(cert("agent", "a1"), "--dir: " + pki() + " does not exist (gantry tls ca create --dir " + pki()
        + " makes it, with a CA)");
    Files.createDirectory(pki());
    assertBadInput(cert("agent", "a1"), "--dir: no CA in " + pki() + ": ca.pem is missing (gantry tls ca create --dir "
        + pki() + " makes one)");
    assertOk(ca("--days", "100"));
    assertBadInput(cert("admin", "a1"), "--role: must be server, agent or client, got \"admin\"");
    assertBadInput(cert("agent", "a 1"), "--name: not a DNS name: \"a 1\" (letters, digits and hyphens in dot-separated labels of at most 63)");
    assertBadInput(cert("agent", "../a1"), "--name: not a DNS name: \"../a1\" (letters, digits and hyphens in dot-separated labels of at most 63)");
    assertBadInput(cert("agent", "CA"), "--name: \"CA\" is taken: the CA's own files are ca.pem and ca-key.pem");
    assertBadInput(cert("agent", "a1", "--ip", "10.0.0.1,1.2.3"), "--ip: not an IP address: \"1.2.3\"");
    assertBadInput(cert("client", "u1", "--dns", "server.gantry"),
        "--dns: \"server.gantry\" is reserved: names under .gantry carry roles, and the role adds its own");
    assertBadInput(cert("client", "u1", "--days", "0"), "--days: must be between 1 and 36500, got 0");
    var tooLong = cert("client", "u1", "--days", "101");
    assertEquals(2, tooLong.exitCode());
    assertTrue(tooLong.err().startsWith("--days: the certificate would outlive the CA, which expires at "), tooLong.err());
    // The whole days left: 100 when the request comes in the second the CA was made, else 99.
    var bound = java.util.regex.Pattern.compile("; at most (99|100) days$").matcher(tooLong.err().strip());
    assertTrue(bound.find(), tooLong.err());
    assertBadInput(ca("--days", "0", "--force"), "--days: must be between 1 and 36500, got 0");
    try (var listing = Files.list(pki())) {
      assertEquals(2, listing.count(), "no refused request wrote a file");
    }

    // A DIR whose CA files are not a CA, or not a pair.
    Path other = tmp.resolve("other");
    assertOk(Cli.run("tls", "ca", "create", "--dir", other.toString()));
    Files.copy(other.resolve("ca-key.pem"), pki().resolve("ca-key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var mismatch = cert("agent", "a1");
    assertEquals(2, mismatch.exitCode());
    assertTrue(mismatch.err().startsWith("--dir: " + pki().resolve("ca-key.pem") + ", " + pki().resolve("ca.pem")
        + ": the private key does not belong to the certificate \"CN=Gantry CA "), mismatch.err());
    assertOk(Cli.run("tls", "cert", "create", "--dir", other.toString(), "--role", "agent", "--name", "leaf"));
    Files.copy(other.resolve("leaf.pem"), pki().resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(other.resolve("leaf-key.pem"), pki().resolve("ca-key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertBadInput(cert("agent", "a1"), "--dir: " + pki().resolve("ca.pem") + ": \"CN=leaf\" is not a CA certificate (it may not sign certificates)");
    Files.writeString(pki().resolve("ca.pem"), "not pem\n");
    assertBadInput(cert("agent", "a1"), "--dir: " + pki().resolve("ca.pem") + ": no PEM block: expected a certificate");

    // DIR is not a directory, or cannot be one.
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertBadInput(Cli.run("tls", "ca", "create", "--dir", file.toString()), "--dir: " + file + " is not a directory");
    var under = Cli.run("tls", "ca", "create", "--dir", file.resolve("sub").toString());
    assertEquals(2, under.exitCode());
    assertTrue(under.err().startsWith("--dir: cannot create " + file.resolve("sub") + ": "), under.err());

    // picocli's own usage errors.
    var missingRole = Cli.run("tls", "cert", "create", "--dir", pki().toString(), "--name", "x");
    assertEquals(2, missingRole.exitCode());
    assertTrue(missingRole.err().startsWith("Missing required option: '--role=server|agent|client'"), missingRole.err());
    var noVerb = Cli.run("tls");
    assertEquals(2, noVerb.exitCode());
    assertTrue(noVerb.err().startsWith("missing subcommand: ca or cert"), noVerb.err());
  }

  @Test
  void aDirThatCannotBeWrittenIsBadInput() throws Exception {
    Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere");
    Files.createDirectory(pki(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-x------")));
    assertBadInput(ca(), "--dir: " + pki() + " is not writable");
  }
}
