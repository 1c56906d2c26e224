package gantry.security;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM text of certificates ({@code CERTIFICATE}) and private keys (PKCS#8, {@code PRIVATE KEY}, the
 * form Netty, Go and OpenSSL 3 read). Reading also takes OpenSSL's older {@code EC PRIVATE KEY}; an
 * encrypted key is refused, since nothing could ask for its passphrase. Messages never quote a key.
 */
public final class Pem {
  private Pem() {}

  public static String encode(X509Certificate certificate) {
    try {
      return encode(new PemObject("CERTIFICATE", certificate.getEncoded()));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("the certificate cannot be encoded", e);
    }
  }

  /** The key as PKCS#8 PEM. */
  public static String encode(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("a " + key.getAlgorithm() + " key in " + key.getFormat() + " format, not PKCS#8");
    }
    return encode(new PemObject("PRIVATE KEY", key.getEncoded()));
  }

  /**
   * The first PEM block of {@code text}, which must be a certificate.
   *
   * @throws CertificateException if there is none, or the first block is something else
   */
  public static X509Certificate readCertificate(String text) throws CertificateException {
    Object first = firstObject(text, "a certificate");
    if (!(first instanceof X509CertificateHolder holder)) {
      throw new CertificateException("expected a PEM CERTIFICATE, found " + describe(first));
    }
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  /**
   * The first PEM block of {@code text}, which must be an unencrypted EC private key.
   *
   * @throws GeneralSecurityException if there is none, it is encrypted, or not an EC key
   */
  public static PrivateKey readPrivateKey(String text) throws GeneralSecurityException {
    PrivateKeyInfo info = keyInfo(text);
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
      throw new GeneralSecurityException("not an ECDSA key (algorithm " + info.getPrivateKeyAlgorithm().getAlgorithm() + ")");
    }
    return toKey(info, "EC");
  }

  /**
   * The first PEM block of {@code text}, an unencrypted RSA or EC private key in PKCS#8 or
   * OpenSSL's older {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY} form: keys made outside
   * Gantry, such as the Docker engine's client key ({@code openssl genrsa} makes RSA).
   *
   * @throws GeneralSecurityException if there is none, it is encrypted, or of another algorithm
   */
  public static PrivateKey readRsaOrEcPrivateKey(String text) throws GeneralSecurityException {
    PrivateKeyInfo info = keyInfo(text);
    ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) return toKey(info, "EC");
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) return toKey(info, "RSA");
    throw new GeneralSecurityException("neither an RSA nor an ECDSA key (algorithm " + algorithm + ")");
  }

  private static PrivateKeyInfo keyInfo(String text) throws GeneralSecurityException {
    Object first = firstObject(text, "a private key");
    return switch (first) {
      case PrivateKeyInfo pkcs8 -> pkcs8;
      case PEMKeyPair traditional -> traditional.getPrivateKeyInfo();
      default -> throw new GeneralSecurityException("expected a PEM PRIVATE KEY, found " + describe(first));
    };
  }

  private static PrivateKey toKey(PrivateKeyInfo info, String algorithm) throws GeneralSecurityException {
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (IOException e) {
      throw new GeneralSecurityException("the private key cannot be encoded", e);
    }
  }

  private static Object firstObject(String text, String what) throws CertificateException {
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object first = parser.readObject();
      while (first instanceof ASN1ObjectIdentifier) first = parser.readObject(); // `openssl ecparam -genkey`'s EC PARAMETERS
      if (first == null) throw new CertificateException("no PEM block: expected " + what);
      return first;
    } catch (IOException | RuntimeException e) {
      // BouncyCastle's parse errors can quote the bytes they choked on: say only that the block is broken.
      throw new CertificateException("a broken PEM block: expected " + what);
    }
  }

  private static String describe(Object pem) {
    return switch (pem) {
      case X509CertificateHolder c -> "a CERTIFICATE";
      case PrivateKeyInfo k -> "a PRIVATE KEY";
      case PEMKeyPair k -> "an RSA or EC PRIVATE KEY";
      case PKCS8EncryptedPrivateKeyInfo k -> "an ENCRYPTED PRIVATE KEY (not supported)";
      case PEMEncryptedKeyPair k -> "an encrypted key (not supported)";
      default -> "a " + pem.getClass().getSimpleName();
    };
  }

  private static String encode(PemObject object) {
    var out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException("a StringWriter failed", e);
    }
    return out.toString();
  }
}
