package gantry.security.tls;

import gantry.security.CertificateAndKey;
import gantry.security.PemFiles;
import gantry.security.Role;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS material of one process, read from its {@link TlsFiles}: a key manager presenting its
 * certificate and trust managers that accept only the cluster CA. Every context built from it
 * ({@link GrpcTls}, {@link #jdkContext()}, Ratis' {@code GrpcTlsConfig}) holds these managers, not
 * copies of the keys, so {@link #reload()} reaches every port at the next handshake without a
 * restart; connections already open keep the certificate they were opened with.
 *
 * <p>A reload reads and checks all three files before it swaps anything: a half-written or
 * mismatched set keeps the old material, and says why in one log line (never key bytes).
 */
public final class TlsMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

  private final TlsFiles files;
  private final ReloadableKeyManager keys;
  private final AtomicReference<X509ExtendedTrustManager> pkix;

  private TlsMaterial(TlsFiles files, Loaded loaded) {
    this.files = files;
    this.keys = new ReloadableKeyManager(loaded.pair().certificate(), loaded.pair().privateKey());
    this.pkix = new AtomicReference<>(loaded.trust());
  }

  private record Loaded(CertificateAndKey pair, X509ExtendedTrustManager trust) {}

  /**
   * Reads the three files.
   *
   * @throws IOException naming the file that is missing or unreadable
   * @throws GeneralSecurityException naming the file whose content is wrong: no certificate, a key
   *     that is not the certificate's, or a certificate the CA did not sign
   */
  public static TlsMaterial load(TlsFiles files) throws IOException, GeneralSecurityException {
    return new TlsMaterial(files, read(files));
  }

  private static Loaded read(TlsFiles files) throws IOException, GeneralSecurityException {
    X509Certificate ca = PemFiles.readCertificate(files.ca());
    CertificateAndKey pair = PemFiles.read(files.cert(), files.key());
    try {
      pair.certificate().verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException(files.cert() + ": not signed by the CA in " + files.ca(), e);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("gantry-ca", ca);
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) return new Loaded(pair, x);
    }
    throw new GeneralSecurityException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
  }

  /**
   * Reads the files again and, if they are good, serves them from the next handshake on; SIGHUP
   * calls this ({@link HangupReload}). Logs "certificates reloaded from FILES" or why not.
   *
   * @return whether the new material is in use (false: the old one still is)
   */
  public synchronized boolean reload() {
    Loaded loaded;
    try {
      loaded = read(files);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.warn("certificates not reloaded from {}, keeping the ones in use: {}", files.describe(), e.getMessage());
      return false;
    }
    pkix.set(loaded.trust());
    keys.swap(loaded.pair().certificate(), loaded.pair().privateKey());
    LOG.info("certificates reloaded from {}: now {}", files.describe(),
        loaded.pair().certificate().getSubjectX500Principal().getName());
    return true;
  }

  public TlsFiles files() {
    return files;
  }

  /** The certificate presented now. */
  public X509Certificate certificate() {
    return keys.certificate();
  }

  /** Presents this process's certificate, the current one. */
  public X509ExtendedKeyManager keyManager() {
    return keys;
  }

  /** Accepts any role the cluster CA signed: servers, agents and clients (the gRPC and HTTPS ports). */
  public ClusterTrustManager trustManager() {
    return trustManager(EnumSet.allOf(Role.class));
  }

  /** Accepts certificates the cluster CA signed whose role is one of {@code roles}. */
  public ClusterTrustManager trustManager(Set<Role> roles) {
    return new ClusterTrustManager(pkix::get, roles);
  }

  /**
   * A JDK context (TLS 1.3) with these managers, accepting any cluster role, for the JDK's and
   * Jetty's HTTPS servers. The server must still ask for client certificates itself
   * ({@code setNeedClientAuth(true)}).
   */
  public SSLContext jdkContext() {
    try {
      SSLContext context = SSLContext.getInstance(ClusterTrustManager.TLS13);
      context.init(new KeyManager[] {keys}, new TrustManager[] {trustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no TLS 1.3: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "TlsMaterial[" + files.describe() + "]";
  }
}
