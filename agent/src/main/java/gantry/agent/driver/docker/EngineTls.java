package gantry.agent.driver.docker;

import gantry.security.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to an engine on {@code tcp://}, configured as the docker CLI is: {@code DOCKER_TLS_VERIFY}
 * set to anything but the empty string turns it on; {@code DOCKER_CERT_PATH} (default
 * {@code ~/.docker}) holds {@code ca.pem} (the CA that signed the engine's certificate),
 * {@code cert.pem} and {@code key.pem} (the client's certificate and unencrypted RSA or EC key).
 * The engine's certificate must name the host of {@code DOCKER_HOST}.
 */
final class EngineTls {
  static final String VERIFY = "DOCKER_TLS_VERIFY";
  static final String CERT_PATH = "DOCKER_CERT_PATH";

  private EngineTls() {}

  /**
   * The context {@code env} asks for, or empty when it asks for none.
   *
   * @throws IllegalArgumentException naming the file that is missing or unreadable, and why
   */
  static Optional<SSLContext> fromEnvironment(Map<String, String> env) {
    String verify = env.get(VERIFY);
    if (verify == null || verify.isEmpty()) return Optional.empty();
    String dir = env.get(CERT_PATH);
    Path certs = dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".docker") : Path.of(dir.strip());
    return Optional.of(context(certs));
  }

  /**
   * A context that trusts {@code certs/ca.pem} alone and presents {@code certs/cert.pem} with
   * {@code certs/key.pem}.
   *
   * @throws IllegalArgumentException naming the file that is missing or unreadable, and why
   */
  static SSLContext context(Path certs) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate ca : certificates(certs.resolve("ca.pem"))) trust.setCertificateEntry("ca-" + i++, ca);
      Certificate[] chain = certificates(certs.resolve("cert.pem")).toArray(Certificate[]::new);
      PrivateKey key = key(certs.resolve("key.pem"));
      char[] password = new char[0];
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      identity.setKeyEntry("client", key, password, chain);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(identity, password);
      TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trusted.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trusted.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("the engine's TLS files in " + certs + ": " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (all.isEmpty()) throw new GeneralSecurityException(file.getFileName() + " holds no certificate");
      return all;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.getFileName() + " is missing");
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(file.getFileName() + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey key(Path file) throws IOException, GeneralSecurityException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.getFileName() + " is missing");
    }
    try {
      return Pem.readRsaOrEcPrivateKey(text);
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(file.getFileName() + ": " + e.getMessage(), e);
    }
  }
}
