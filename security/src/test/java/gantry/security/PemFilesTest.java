package gantry.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files: owner-only keys, no overwriting unless asked, and reading back with the path in every complaint. */
class PemFilesTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
  static CertificateAndKey issued;
  static CertificateAndKey other;

  @TempDir
  Path dir;

  @BeforeAll
  static void issue() throws Exception {
    var ca = CertificateAuthority.create(CertificateAuthority.DEFAULT_DAYS, CLOCK, new SecureRandom());
    issued = ca.issue(CertificateRequest.of(Role.AGENT, "a1"), CLOCK, new SecureRandom());
    other = ca.issue(CertificateRequest.of(Role.AGENT, "a2"), CLOCK, new SecureRandom());
  }

  private List<PemFile> files(CertificateAndKey pair) {
    return List.of(PemFile.of(dir.resolve("a1.pem"), pair.certificate()), PemFile.of(dir.resolve("a1-key.pem"), pair.privateKey()));
  }

  @Test
  void keysAreOwnerOnlyPkcs8AndReadBack() throws Exception {
    PemFiles.write(files(issued), false);
    Path key = dir.resolve("a1-key.pem");
    Path cert = dir.resolve("a1.pem");
    assertEquals(PemFiles.SECRET, Files.getPosixFilePermissions(key));
    Set<PosixFilePermission> certMode = Files.getPosixFilePermissions(cert);
    assertTrue(certMode.containsAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)), certMode.toString());
    assertFalse(certMode.contains(PosixFilePermission.GROUP_WRITE) || certMode.contains(PosixFilePermission.OTHERS_WRITE));
    String keyText = Files.readString(key);
    assertTrue(keyText.startsWith("-----BEGIN PRIVATE KEY-----\n") && keyText.endsWith("-----END PRIVATE KEY-----\n"), keyText.lines().findFirst().orElse(""));
    assertTrue(Files.readString(cert).startsWith("-----BEGIN CERTIFICATE-----\n"));

    CertificateAndKey back = PemFiles.read(cert, key);
    assertArrayEquals(issued.certificate().getEncoded(), back.certificate().getEncoded());
    assertArrayEquals(issued.privateKey().getEncoded(), back.privateKey().getEncoded());
    try (var listing = Files.list(dir)) {
      assertEquals(Set.of(cert, key), Set.copyOf(listing.toList()), "no temporary files left");
    }
    assertFalse(files(issued).get(1).toString().contains("PRIVATE"), "a PemFile does not print its key");
  }

  @Test
  void existingFilesAreNotOverwrittenUnlessAsked() throws Exception {
    Path key = dir.resolve("a1-key.pem");
    Files.writeString(key, "precious");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    var e = assertThrows(FileAlreadyExistsException.class, () -> PemFiles.write(files(issued), false));
    assertEquals(key.toString(), e.getFile());
    assertEquals("precious", Files.readString(key));
    assertFalse(Files.exists(dir.resolve("a1.pem")), "nothing is written when one file exists");

    PemFiles.write(files(issued), true);
    assertEquals(PemFiles.SECRET, Files.getPosixFilePermissions(key), "a replaced key is 0600 too");
    PemFiles.write(files(other), true);
    assertArrayEquals(other.privateKey().getEncoded(), PemFiles.read(dir.resolve("a1.pem"), key).privateKey().getEncoded());

    Files.delete(key);
    Files.createSymbolicLink(key, dir.resolve("nowhere"));
    assertThrows(FileAlreadyExistsException.class, () -> PemFiles.write(files(issued), false), "a dangling link counts");
    PemFiles.write(files(issued), true);
    assertFalse(Files.isSymbolicLink(key), "the link is replaced, not followed");
    assertFalse(Files.exists(dir.resolve("nowhere"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void readingSaysWhichFileIsWrong() throws Exception {
    PemFiles.write(files(issued), false);
    Path cert = dir.resolve("a1.pem");
    Path key = dir.resolve("a1-key.pem");
    var swapped = assertThrows(CertificateException.class, () -> PemFiles.readCertificate(key));
    assertEquals(key + ": expected a PEM CERTIFICATE, found a PRIVATE KEY", swapped.getMessage());
    var notKey = assertThrows(GeneralSecurityException.class, () -> PemFiles.readPrivateKey(cert));
    assertEquals(cert + ": expected a PEM PRIVATE KEY, found a CERTIFICATE", notKey.getMessage());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "hello\n");
    assertEquals(empty + ": no PEM block: expected a certificate",
        assertThrows(CertificateException.class, () -> PemFiles.readCertificate(empty)).getMessage());
    Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
    assertEquals(broken + ": a broken PEM block: expected a private key",
        assertThrows(GeneralSecurityException.class, () -> PemFiles.readPrivateKey(broken)).getMessage());
    Path binary = Files.write(dir.resolve("cert.der"), issued.certificate().getEncoded());
    assertEquals(binary + ": no PEM block: expected a certificate",
        assertThrows(CertificateException.class, () -> PemFiles.readCertificate(binary)).getMessage());
    assertThrows(NoSuchFileException.class, () -> PemFiles.readCertificate(dir.resolve("missing.pem")));

    Path otherKey = dir.resolve("a2-key.pem");
    PemFiles.write(List.of(PemFile.of(otherKey, other.privateKey())), false);
    var mismatch = assertThrows(CertificateException.class, () -> PemFiles.read(cert, otherKey));
    assertEquals(otherKey + ", " + cert + ": the private key does not belong to the certificate \"CN=a1\"", mismatch.getMessage());
  }

  /** The form of {@code openssl ecparam -name prime256v1 -genkey}: EC PARAMETERS, then a SEC1 EC PRIVATE KEY. */
  @Test
  void openSslsOlderEcKeyFormIsReadToo() throws Exception {
    var pkcs8 = PrivateKeyInfo.getInstance(issued.privateKey().getEncoded());
    ASN1Encodable curve = pkcs8.getPrivateKeyAlgorithm().getParameters();
    var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), curve);
    var out = new StringWriter();
    try (var writer = new PemWriter(out)) {
      writer.writeObject(new PemObject("EC PARAMETERS", curve.toASN1Primitive().getEncoded()));
      writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    var read = (java.security.interfaces.ECPrivateKey) Pem.readPrivateKey(out.toString());
    assertEquals(((java.security.interfaces.ECPrivateKey) issued.privateKey()).getS(), read.getS());
    CertificateAndKey.of(issued.certificate(), read); // and it signs for the certificate
  }

  /** Keys made outside Gantry (the Docker engine's client key): RSA in PKCS#8 or PKCS#1, and EC; a cluster key stays EC only. */
  @Test
  void rsaKeysAreReadOnlyWhereForeignKeysAreAsked() throws Exception {
    var generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    var rsa = generator.generateKeyPair().getPrivate();
    String pkcs8 = Pem.encode(rsa);
    var out = new StringWriter();
    try (var writer = new PemWriter(out)) {
      writer.writeObject(new PemObject("RSA PRIVATE KEY", PrivateKeyInfo.getInstance(rsa.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded()));
    }
    String pkcs1 = out.toString();
    assertArrayEquals(rsa.getEncoded(), Pem.readRsaOrEcPrivateKey(pkcs8).getEncoded());
    assertArrayEquals(rsa.getEncoded(), Pem.readRsaOrEcPrivateKey(pkcs1).getEncoded());
    assertArrayEquals(issued.privateKey().getEncoded(), Pem.readRsaOrEcPrivateKey(Pem.encode(issued.privateKey())).getEncoded());
    assertTrue(assertThrows(GeneralSecurityException.class, () -> Pem.readPrivateKey(pkcs1)).getMessage().startsWith("not an ECDSA key"));
  }
}
