package gantry.security;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's certificate authority: a self-signed ECDSA P-256 CA that may sign leaf certificates
 * only (path length 0), and the issuing of those leaves.
 *
 * <p>Keys, signatures and certificate parsing use the JDK's own providers; BouncyCastle only builds
 * the X.509 structures, and is never registered as a JCA provider (so the shaded jar, whose
 * signature files are stripped, does not need it to be a signed provider jar).
 *
 * <p>Time and randomness come in as arguments: certificates are valid from one minute before
 * {@code clock.instant()} (a little slack for peers whose clocks run behind) for the asked number of
 * days, and serial numbers are 127 random bits.
 */
public final class CertificateAuthority {
  /** A CA's validity when none is asked for: five years. */
  public static final int DEFAULT_DAYS = 5 * 365;
  /** How far notBefore lies before the moment of issue. */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  private final CertificateAndKey credentials;

  private CertificateAuthority(CertificateAndKey credentials) {
    this.credentials = credentials;
  }

  /** A new CA with a fresh key, named {@code CN=Gantry CA <8 random hex digits>, O=Gantry}, valid for {@code days}. */
  public static CertificateAuthority create(int days, Clock clock, SecureRandom random) {
    CertificateRequest.checkDays(days);
    KeyPair keys = newKeyPair(random);
    byte[] tag = new byte[4];
    random.nextBytes(tag);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "Gantry")
        .addRDN(BCStyle.CN, "Gantry CA " + HexFormat.of().formatHex(tag))
        .build();
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    var builder = new JcaX509v3CertificateBuilder(subject, serial(random), Date.from(now.minus(BACKDATE)),
        Date.from(now.plus(Duration.ofDays(days))), subject, keys.getPublic());
    try {
      JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, keys, random);
      return new CertificateAuthority(CertificateAndKey.of(certificate, keys.getPrivate()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("the JDK cannot make an ECDSA P-256 certificate", e);
    }
  }

  /**
   * The CA of an existing certificate and key, e.g. read from {@code ca.pem} and {@code ca-key.pem}.
   *
   * @throws CertificateException if the certificate may not sign certificates or the key is not its key
   */
  public static CertificateAuthority of(CertificateAndKey credentials) throws CertificateException {
    X509Certificate certificate = credentials.certificate();
    boolean[] usage = certificate.getKeyUsage();
    if (certificate.getBasicConstraints() < 0 || (usage != null && !usage[5])) {
      throw new CertificateException("\"" + certificate.getSubjectX500Principal().getName()
          + "\" is not a CA certificate (it may not sign certificates)");
    }
    return new CertificateAuthority(credentials);
  }

  public CertificateAndKey credentials() {
    return credentials;
  }

  public X509Certificate certificate() {
    return credentials.certificate();
  }

  /**
   * A new key and a certificate for it, signed by this CA: subject {@code CN=name}; SANs from the
   * request; the role's extended key usages; digitalSignature, not a CA.
   *
   * @throws InvalidRequestException (field {@code days}) if the certificate would outlive this CA
   * @throws CertificateException if this CA has expired
   */
  public CertificateAndKey issue(CertificateRequest request, Clock clock, SecureRandom random) throws CertificateException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(Duration.ofDays(request.days()));
    Instant caNotAfter = certificate().getNotAfter().toInstant();
    if (!caNotAfter.isAfter(now)) {
      throw new CertificateException("the CA \"" + certificate().getSubjectX500Principal().getName() + "\" expired at " + caNotAfter);
    }
    if (notAfter.isAfter(caNotAfter)) {
      long left = Duration.between(now, caNotAfter).toDays();
      throw new InvalidRequestException("days", "the certificate would outlive the CA, which expires at " + caNotAfter
          + (left >= 1 ? "; at most " + left + " days" : "; less than a day is left"));
    }
    KeyPair keys = newKeyPair(random);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, request.name()).build();
    var builder = new JcaX509v3CertificateBuilder(certificate(), serial(random), Date.from(now.minus(BACKDATE)),
        Date.from(notAfter), subject, keys.getPublic());
    try {
      JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(request.role().keyPurposes().toArray(KeyPurposeId[]::new)));
      builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(request));
      builder.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(keys.getPublic()));
      // The key id only, not the CA's name and serial: a CA certificate re-issued for the same key still matches.
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          ids.createAuthorityKeyIdentifier(certificate().getPublicKey()));
      X509Certificate certificate = sign(builder, new KeyPair(certificate().getPublicKey(), credentials.privateKey()), random);
      return CertificateAndKey.of(certificate, keys.getPrivate());
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK cannot make an ECDSA P-256 certificate", e);
    }
  }

  private static GeneralNames subjectAlternativeNames(CertificateRequest request) {
    List<GeneralName> names = new ArrayList<>();
    for (String dns : request.sanDnsNames()) names.add(new GeneralName(GeneralName.dNSName, dns));
    for (String ip : request.sanIpAddresses()) names.add(new GeneralName(GeneralName.iPAddress, ip));
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  /** Signs with the private key of {@code signer} and checks the result against its public key. */
  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer, SecureRandom random)
      throws CertificateException {
    try {
      ContentSigner contentSigner = new JcaContentSignerBuilder(CertificateAndKey.SIGNATURE_ALGORITHM)
          .setSecureRandom(random).build(signer.getPrivate());
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
      certificate.verify(signer.getPublic());
      return certificate;
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new CertificateException("cannot sign the certificate: " + e.getMessage(), e);
    }
  }

  private static KeyPair newKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make ECDSA P-256 keys", e);
    }
  }

  /** Positive, at most 16 bytes in DER, and unguessable (CA/Browser Forum asks for 64 random bits). */
  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }
}
