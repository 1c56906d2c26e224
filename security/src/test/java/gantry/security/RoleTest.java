package gantry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Reading the role of a presented certificate, and the role words of the CLI. */
class RoleTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void theRoleOfEachIssuedCertificateIsReadBack() throws Exception {
    var ca = CertificateAuthority.create(30, CLOCK, new SecureRandom());
    for (Role role : Role.values()) {
      var request = new CertificateRequest(role, "x1", java.util.List.of("x1.example.com"), java.util.List.of("10.1.1.1"), 10);
      assertEquals(role, Role.of(ca.issue(request, CLOCK, new SecureRandom()).certificate()));
    }
  }

  @Test
  void aCertificateWithoutExactlyOneRoleSanIsRefused() throws Exception {
    var ca = CertificateAuthority.create(30, CLOCK, new SecureRandom());
    var noSans = assertThrows(CertificateException.class, () -> Role.of(ca.certificate()));
    assertTrue(noSans.getMessage().matches("certificate \"CN=Gantry CA [0-9a-f]{8},O=Gantry\" has no Gantry role: "
        + "no SAN DNS name server.gantry, agent.gantry or client.gantry"), noSans.getMessage());

    var lookalikes = selfSigned(dns("server.gantry.example.com"), dns("agent-gantry"), dns("xclient.gantry"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.rfc822Name, "server.gantry"));
    var none = assertThrows(CertificateException.class, () -> Role.of(lookalikes));
    assertTrue(none.getMessage().startsWith("certificate \"CN=test\" has no Gantry role"), none.getMessage());

    var two = selfSigned(dns("m1"), dns("server.gantry"), dns("client.gantry"));
    var both = assertThrows(CertificateException.class, () -> Role.of(two));
    assertEquals("certificate \"CN=test\" claims more than one Gantry role: server.gantry, client.gantry", both.getMessage());

    // DNS names are case-insensitive, and saying the same role twice is still one role.
    assertEquals(Role.AGENT, Role.of(selfSigned(dns("Agent.Gantry"), dns("agent.gantry"))));
  }

  @Test
  void roleWords() {
    assertEquals(Optional.of(Role.SERVER), Role.parse("server"));
    assertEquals(Optional.of(Role.AGENT), Role.parse("AGENT"));
    assertEquals(Optional.empty(), Role.parse("admin"));
    assertEquals("client.gantry", Role.CLIENT.sanName());
    assertTrue(Role.isReservedName("gantry"));
    assertTrue(Role.isReservedName("foo.GANTRY"));
    assertFalse(Role.isReservedName("gantry.example.com"));
    assertFalse(Role.isReservedName("mygantry"));
  }

  private static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  /** A certificate with exactly these SANs, made without the issuer's rules. */
  private static X509Certificate selfSigned(GeneralName... sans) throws Exception {
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    var name = new X500Name("CN=test");
    var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(CLOCK.instant()),
        Date.from(CLOCK.instant().plusSeconds(3600)), name, keys.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }
}
