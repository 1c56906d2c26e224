package gantry.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CA and the certificates it issues, checked with the JDK's own X.509 parser and PKIX validator. */
class CertificateAuthorityTest {
  static final Instant NOW = Instant.parse("2026-11-30T12:00:00.750Z");
  static final Instant NOW_SECONDS = Instant.parse("2026-11-30T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final SecureRandom RANDOM = new SecureRandom();
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final int SAN_DNS = 2;
  static final int SAN_IP = 7;

  static CertificateAuthority ca;

  @BeforeAll
  static void createCa() {
    ca = CertificateAuthority.create(CertificateAuthority.DEFAULT_DAYS, CLOCK, RANDOM);
  }

  /** Round trip through PEM and the JDK's CertificateFactory, as any TLS stack will read the file. */
  static X509Certificate parsed(X509Certificate certificate) throws CertificateException {
    byte[] pem = Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII);
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
  }

  static List<Object> sans(X509Certificate certificate, int tag) throws CertificateException {
    return certificate.getSubjectAlternativeNames().stream().filter(san -> (Integer) san.get(0) == tag)
        .<Object>map(san -> san.get(1)).toList();
  }

  /** The key identifier of a subject (2.5.29.14) or authority (2.5.29.35, key id only) key identifier extension. */
  static byte[] keyId(X509Certificate certificate, String oid) {
    byte[] inner = ASN1OctetString.getInstance(certificate.getExtensionValue(oid)).getOctets();
    if (oid.equals("2.5.29.14")) return ASN1OctetString.getInstance(inner).getOctets();
    AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(inner);
    assertEquals(null, aki.getAuthorityCertIssuer(), "no issuer name in the authority key id");
    return aki.getKeyIdentifier();
  }

  @Test
  void theCaIsASelfSignedP256CaThatSignsOnlyLeaves() throws Exception {
    X509Certificate cert = parsed(ca.certificate());
    assertTrue(Pem.encode(ca.certificate()).startsWith("-----BEGIN CERTIFICATE-----\n"));
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertTrue(cert.getSubjectX500Principal().getName().matches("CN=Gantry CA [0-9a-f]{8},O=Gantry"),
        cert.getSubjectX500Principal().getName());
    cert.verify(cert.getPublicKey());
    assertEquals("SHA256withECDSA", cert.getSigAlgName());
    assertEquals(256, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
    assertEquals(0, cert.getBasicConstraints(), "CA:true, pathLen 0");
    assertTrue(cert.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
    boolean[] usage = cert.getKeyUsage();
    for (int bit = 0; bit < usage.length; bit++) {
      assertEquals(bit == 5 || bit == 6, usage[bit], "key usage bit " + bit + " (5 keyCertSign, 6 cRLSign)");
    }
    assertEquals(NOW_SECONDS.minus(Duration.ofMinutes(1)), cert.getNotBefore().toInstant());
    assertEquals(NOW_SECONDS.plus(Duration.ofDays(5 * 365)), cert.getNotAfter().toInstant());
    assertEquals(1, cert.getSerialNumber().signum());
    assertTrue(cert.getSerialNumber().bitLength() > 64);

    var other = CertificateAuthority.create(10, CLOCK, RANDOM).certificate();
    assertFalse(other.getSubjectX500Principal().equals(cert.getSubjectX500Principal()), "two CAs get different names");
    assertEquals(NOW_SECONDS.plus(Duration.ofDays(10)), other.getNotAfter().toInstant());
  }

  @Test
  void everyRoleGetsACertificateThatChainsToTheCaAndSaysItsRole() throws Exception {
    var expectedUsages = java.util.Map.of(
        Role.SERVER, List.of(SERVER_AUTH, CLIENT_AUTH),
        Role.AGENT, List.of(SERVER_AUTH, CLIENT_AUTH),
        Role.CLIENT, List.of(CLIENT_AUTH));
    for (Role role : Role.values()) {
      CertificateAndKey issued = ca.issue(CertificateRequest.of(role, "n-" + role.id()), CLOCK, RANDOM);
      X509Certificate cert = parsed(issued.certificate());

      cert.verify(ca.certificate().getPublicKey());
      assertEquals(ca.certificate().getSubjectX500Principal(), cert.getIssuerX500Principal());
      assertEquals("CN=n-" + role.id(), cert.getSubjectX500Principal().getName());
      assertEquals("SHA256withECDSA", cert.getSigAlgName());
      assertEquals(-1, cert.getBasicConstraints(), role + ": not a CA");
      assertTrue(cert.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
      boolean[] usage = cert.getKeyUsage();
      for (int bit = 0; bit < usage.length; bit++) assertEquals(bit == 0, usage[bit], role + ": only digitalSignature");
      assertEquals(expectedUsages.get(role), cert.getExtendedKeyUsage(), role + ": extended key usages");
      List<Object> dns = sans(cert, SAN_DNS);
      assertEquals(role == Role.SERVER ? List.of("n-server", "server.gantry", "localhost") : List.of("n-" + role.id(), role.sanName()),
          dns, role + ": SAN DNS names");
      assertEquals(role == Role.SERVER ? List.of("127.0.0.1") : List.of(), sans(cert, SAN_IP), role + ": SAN IPs");
      assertEquals(NOW_SECONDS.minus(Duration.ofMinutes(1)), cert.getNotBefore().toInstant());
      assertEquals(NOW_SECONDS.plus(Duration.ofDays(365)), cert.getNotAfter().toInstant());
      assertEquals(role, Role.of(cert));
      assertArrayEquals(keyId(ca.certificate(), "2.5.29.14"), keyId(cert, "2.5.29.35"), "authority key id = the CA's subject key id");

      // The JDK's PKIX validator: pathLen, key usages and validity as a TLS stack checks them.
      var params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(NOW));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);

      // The key is the certificate's: it signs, the certificate's public key verifies.
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(issued.privateKey());
      signer.update(new byte[] {1, 2, 3});
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(cert.getPublicKey());
      verifier.update(new byte[] {1, 2, 3});
      assertTrue(verifier.verify(signer.sign()), role + ": key matches certificate");
      assertFalse(issued.toString().contains("private value"));
    }
  }

  @Test
  void extraNamesAndAddressesFollowTheDefaultsWithoutRepeats() throws Exception {
    var request = new CertificateRequest(Role.SERVER, "m1", List.of("m1.example.com", "*.svc.example.com", "LOCALHOST"),
        List.of("10.0.0.5", "127.0.0.1", "2001:DB8::1"), 30);
    X509Certificate cert = parsed(ca.issue(request, CLOCK, RANDOM).certificate());
    assertEquals(List.of("m1", "server.gantry", "localhost", "m1.example.com", "*.svc.example.com"), sans(cert, SAN_DNS));
    assertEquals(List.of("127.0.0.1", "10.0.0.5", "2001:db8:0:0:0:0:0:1"), sans(cert, SAN_IP));
    assertEquals(NOW_SECONDS.plus(Duration.ofDays(30)), cert.getNotAfter().toInstant());

    var agent = new CertificateRequest(Role.AGENT, "a1", List.of(), List.of("192.168.1.7"), 1);
    X509Certificate agentCert = ca.issue(agent, CLOCK, RANDOM).certificate();
    assertEquals(List.of("a1", "agent.gantry"), sans(agentCert, SAN_DNS), "no localhost for agents");
    assertEquals(List.of("192.168.1.7"), sans(agentCert, SAN_IP));
  }

  @Test
  void aLeafMayNotOutliveItsCa() throws Exception {
    var shortCa = CertificateAuthority.create(30, CLOCK, RANDOM);
    var tooLong = new CertificateRequest(Role.CLIENT, "u", List.of(), List.of(), 31);
    var e = assertThrows(InvalidRequestException.class, () -> shortCa.issue(tooLong, CLOCK, RANDOM));
    assertEquals("days", e.field());
    assertTrue(e.getMessage().startsWith("the certificate would outlive the CA, which expires at 2026-12-30T12:00:00Z; at most 30 days"),
        e.getMessage());
    var exactly = new CertificateRequest(Role.CLIENT, "u", List.of(), List.of(), 30);
    assertEquals(shortCa.certificate().getNotAfter(), shortCa.issue(exactly, CLOCK, RANDOM).certificate().getNotAfter());

    Clock later = Clock.fixed(NOW.plus(Duration.ofDays(31)), ZoneOffset.UTC);
    var expired = assertThrows(CertificateException.class, () -> shortCa.issue(CertificateRequest.of(Role.CLIENT, "u"), later, RANDOM));
    assertTrue(expired.getMessage().contains("expired at 2026-12-30T12:00:00Z"), expired.getMessage());
  }

  @Test
  void badRequestsNameTheirField() {
    assertField("name", "not a DNS name: \"bad name\"", () -> CertificateRequest.of(Role.SERVER, "bad name"));
    assertField("name", "not a DNS name: \"\"", () -> CertificateRequest.of(Role.SERVER, ""));
    assertField("name", "not a DNS name: \"-m1\"", () -> CertificateRequest.of(Role.SERVER, "-m1"));
    assertField("name", "not a DNS name: \"*.m1\"", () -> CertificateRequest.of(Role.SERVER, "*.m1"));
    assertField("name", "not a DNS name: \"m1.\"", () -> CertificateRequest.of(Role.SERVER, "m1."));
    assertField("name", "not a DNS name: \"" + "a".repeat(64) + "\"", () -> CertificateRequest.of(Role.SERVER, "a".repeat(64)));
    assertField("name", "at most 64 characters (a subject CN's limit), got 65",
        () -> CertificateRequest.of(Role.SERVER, "a".repeat(32) + "." + "b".repeat(32)));
    assertField("name", "\"server.gantry\" is reserved", () -> CertificateRequest.of(Role.CLIENT, "server.gantry"));
    assertField("dns", "\"x.Gantry\" is reserved", () -> request(List.of("ok.example", "x.Gantry"), List.of(), 1));
    assertField("dns", "\"*.gantry\" is reserved", () -> request(List.of("*.gantry"), List.of(), 1));
    assertField("dns", "not a DNS name: \"a..b\"", () -> request(List.of("a..b"), List.of(), 1));
    assertField("dns", "not a DNS name: \"a_b\"", () -> request(List.of("a_b"), List.of(), 1));
    assertField("ip", "not an IP address: \"1.2.3\"", () -> request(List.of(), List.of("1.2.3"), 1));
    assertField("ip", "not an IP address: \"localhost\"", () -> request(List.of(), List.of("localhost"), 1));
    assertField("ip", "not an IP address: \"10.0.0.0/8\"", () -> request(List.of(), List.of("10.0.0.0/8"), 1));
    assertField("ip", "not an IP address: \"256.1.1.1\"", () -> request(List.of(), List.of("256.1.1.1"), 1));
    assertField("ip", "\"010.0.0.1\": an octet with a leading zero is ambiguous", () -> request(List.of(), List.of("010.0.0.1"), 1));
    assertField("days", "must be between 1 and 36500, got 0", () -> request(List.of(), List.of(), 0));
    assertField("days", "must be between 1 and 36500, got 36501", () -> request(List.of(), List.of(), 36_501));
    assertField("days", "must be between 1 and 36500, got -1", () -> CertificateAuthority.create(-1, CLOCK, RANDOM));
    assertField("role", "must be server, agent or client", () -> new CertificateRequest(null, "x", List.of(), List.of(), 1));
    // Fine: a wildcard SAN, IPv6, a 63-character label.
    request(List.of("*.example.com", "a".repeat(63) + "." + "b".repeat(63) + ".example"), List.of("::1", "fe80::1"), 1);
    CertificateRequest.of(Role.AGENT, "a".repeat(31) + "." + "b".repeat(32));
  }

  @Test
  void aCaNeedsACaCertificateAndItsOwnKey() throws Exception {
    CertificateAndKey leaf = ca.issue(CertificateRequest.of(Role.SERVER, "m1"), CLOCK, RANDOM);
    var notCa = assertThrows(CertificateException.class, () -> CertificateAuthority.of(leaf));
    assertEquals("\"CN=m1\" is not a CA certificate (it may not sign certificates)", notCa.getMessage());

    var mismatch = assertThrows(CertificateException.class, () -> CertificateAndKey.of(ca.certificate(), leaf.privateKey()));
    assertTrue(mismatch.getMessage().startsWith("the private key does not belong to the certificate \"CN=Gantry CA "),
        mismatch.getMessage());
    var rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    var wrongKind = assertThrows(CertificateException.class,
        () -> CertificateAndKey.of(ca.certificate(), rsa.generateKeyPair().getPrivate()));
    assertEquals("the private key is RSA, not an ECDSA key", wrongKind.getMessage());
    var p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    assertThrows(CertificateException.class, () -> CertificateAndKey.of(ca.certificate(), p384.generateKeyPair().getPrivate()));

    var again = CertificateAuthority.of(CertificateAndKey.of(ca.certificate(), ca.credentials().privateKey()));
    assertArrayEquals(ca.certificate().getEncoded(), again.certificate().getEncoded());
  }

  private static CertificateRequest request(List<String> dns, List<String> ips, int days) {
    return new CertificateRequest(Role.AGENT, "a1", dns, ips, days);
  }

  private static void assertField(String field, String messageStart, org.junit.jupiter.api.function.Executable call) {
    var e = assertThrows(InvalidRequestException.class, call);
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
  }
}
