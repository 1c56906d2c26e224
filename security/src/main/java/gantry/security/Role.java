package gantry.security;

import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * What a certificate's holder may be in a cluster. The role travels inside the certificate as the
 * SAN DNS name {@code ROLE.gantry} (like Nomad's {@code server.global.nomad}), so a manager can tell
 * a peer from an agent or a user from the certificate it presented, signed by the cluster CA.
 * The {@code gantry} domain is reserved for these names: no other SAN may end in it.
 */
public enum Role {
  /** A manager peer: it serves gRPC, Raft and HTTPS, and dials the other peers. */
  SERVER(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth),
  /** An agent: it dials the managers; serverAuth is for its own {@code /metrics} endpoint. */
  AGENT(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth),
  /** A user or program with the CLI or the client library: it only dials. */
  CLIENT(KeyPurposeId.id_kp_clientAuth);

  /** The DNS domain of the role names. */
  public static final String DOMAIN = "gantry";

  /** RFC 5280 GeneralName tag of a dNSName, as {@link X509Certificate#getSubjectAlternativeNames()} reports it. */
  private static final int SAN_DNS = 2;

  private final List<KeyPurposeId> keyPurposes;

  Role(KeyPurposeId... keyPurposes) {
    this.keyPurposes = List.of(keyPurposes);
  }

  /** {@code server}, {@code agent} or {@code client}: the word of the {@code --role} flag. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The SAN DNS name that carries this role, e.g. {@code server.gantry}. */
  public String sanName() {
    return id() + "." + DOMAIN;
  }

  /** The extended key usages a certificate of this role gets. */
  List<KeyPurposeId> keyPurposes() {
    return keyPurposes;
  }

  /** The role named {@code id} ({@code server}, {@code agent}, {@code client}; any case), if there is one. */
  public static Optional<Role> parse(String id) {
    for (Role role : values()) {
      if (role.id().equalsIgnoreCase(id)) return Optional.of(role);
    }
    return Optional.empty();
  }

  /** True for {@code gantry} and any name under it, which only roles may use. */
  public static boolean isReservedName(String dnsName) {
    String lower = dnsName.toLowerCase(Locale.ROOT);
    return lower.equals(DOMAIN) || lower.endsWith("." + DOMAIN);
  }

  /**
   * The role of a presented certificate: the one role SAN it carries. This says nothing about who
   * signed it; the TLS handshake must already have verified the chain to the cluster CA.
   *
   * @throws CertificateException if the certificate has no role SAN, or more than one
   */
  public static Role of(X509Certificate certificate) throws CertificateException {
    Set<Role> found = EnumSet.noneOf(Role.class);
    for (String dns : sanDnsNames(certificate)) {
      for (Role role : values()) {
        if (role.sanName().equalsIgnoreCase(dns)) found.add(role);
      }
    }
    String subject = certificate.getSubjectX500Principal().getName();
    if (found.isEmpty()) {
      throw new CertificateException("certificate \"" + subject + "\" has no Gantry role: no SAN DNS name "
          + "server.gantry, agent.gantry or client.gantry");
    }
    if (found.size() > 1) {
      throw new CertificateException("certificate \"" + subject + "\" claims more than one Gantry role: "
          + found.stream().map(Role::sanName).collect(Collectors.joining(", ")));
    }
    return found.iterator().next();
  }

  private static List<String> sanDnsNames(X509Certificate certificate) throws CertificateParsingException {
    Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
    if (sans == null) return List.of();
    return sans.stream()
        .filter(san -> san.get(0) instanceof Integer tag && tag == SAN_DNS && san.get(1) instanceof String)
        .map(san -> (String) san.get(1))
        .toList();
  }
}
