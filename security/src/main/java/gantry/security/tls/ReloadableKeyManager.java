package gantry.security.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents this process's one certificate in every handshake, server or client side, and takes a
 * new one on {@link #swap} without a restart. It ignores the issuers the peer asks for: the JDK's
 * own key manager would then send no certificate at all and the peer would only learn "no
 * certificate", where a peer from another cluster should learn that the chain is not trusted.
 *
 * <p>Each certificate gets a new alias: Netty's OpenSSL engine (Ratis ships one) caches key
 * material by alias, so a reused alias would keep serving the old certificate.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager {
  private record Entry(String alias, X509Certificate[] chain, PrivateKey key) {}

  private final AtomicLong generation = new AtomicLong();
  private volatile Entry current;
  /** The one before, for a handshake that chose its alias just before a swap. */
  private volatile Entry previous;

  ReloadableKeyManager(X509Certificate certificate, PrivateKey key) {
    swap(certificate, key);
  }

  /** From the next handshake on, presents {@code certificate}. */
  synchronized void swap(X509Certificate certificate, PrivateKey key) {
    previous = current;
    current = new Entry("gantry-" + generation.incrementAndGet(), new X509Certificate[] {certificate}, key);
  }

  /** The certificate presented now. */
  X509Certificate certificate() {
    return current.chain()[0];
  }

  private String aliasFor(String[] keyTypes) {
    if (keyTypes == null) return null;
    for (String keyType : keyTypes) {
      String alias = aliasFor(keyType);
      if (alias != null) return alias;
    }
    return null;
  }

  /** The alias when the key is of the type asked for ("EC", or Netty's "EC_EC" for an EC key under an EC CA). */
  private String aliasFor(String keyType) {
    Entry e = current;
    String algorithm = e.key().getAlgorithm();
    if (keyType == null) return null;
    return keyType.equalsIgnoreCase(algorithm) || keyType.toUpperCase(java.util.Locale.ROOT).startsWith(algorithm + "_")
        ? e.alias() : null;
  }

  private Entry entry(String alias) {
    Entry now = current;
    if (now.alias().equals(alias)) return now;
    Entry before = previous;
    return before != null && before.alias().equals(alias) ? before : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = aliasFor(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Entry e = entry(alias);
    return e == null ? null : e.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Entry e = entry(alias);
    return e == null ? null : e.key();
  }

  @Override
  public String toString() {
    return "ReloadableKeyManager[" + current.chain()[0].getSubjectX500Principal().getName() + "]"; // never the key
  }
}
