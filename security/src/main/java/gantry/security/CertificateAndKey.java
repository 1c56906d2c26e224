package gantry.security;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;

/**
 * A certificate and the private key that belongs to it; {@link #of} proves they belong together
 * by signing and verifying a random challenge. {@link #toString()} never shows the key.
 */
public final class CertificateAndKey {
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  private CertificateAndKey(X509Certificate certificate, PrivateKey privateKey) {
    this.certificate = certificate;
    this.privateKey = privateKey;
  }

  /**
   * @throws CertificateException if the key is not an EC key or not the one the certificate's public key belongs to
   */
  public static CertificateAndKey of(X509Certificate certificate, PrivateKey privateKey) throws CertificateException {
    if (!(privateKey instanceof ECPrivateKey)) {
      throw new CertificateException("the private key is " + privateKey.getAlgorithm() + ", not an ECDSA key");
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) return new CertificateAndKey(certificate, privateKey);
    } catch (GeneralSecurityException e) {
      // A key of another curve, or a certificate with a non-EC public key: no match either.
    }
    throw new CertificateException("the private key does not belong to the certificate \""
        + certificate.getSubjectX500Principal().getName() + "\"");
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "CertificateAndKey[" + certificate.getSubjectX500Principal().getName() + ", key hidden]";
  }
}
