package gantry.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * What a leaf certificate should say: its role, its name (the subject CN, also a SAN DNS name),
 * more SAN DNS names and IP addresses, and how many days it is valid. The compact constructor
 * refuses bad values, naming the field; IP addresses are kept in their canonical text form.
 *
 * <p>The names that end up in the certificate are {@link #sanDnsNames()} and {@link #sanIpAddresses()}:
 * a server certificate also gets {@code localhost} and {@code 127.0.0.1}, as Nomad's do, so a peer
 * on the same machine can be dialled by either.
 */
public record CertificateRequest(Role role, String name, List<String> dnsNames, List<String> ipAddresses, int days) {
  /** A leaf's validity when none is asked for. */
  public static final int DEFAULT_DAYS = 365;
  /** Longer than any certificate should live; it keeps date arithmetic far from overflow. */
  public static final int MAX_DAYS = 36_500;

  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final int MAX_DNS_LENGTH = 253;
  /** X.520's ub-common-name; strict parsers refuse a longer CN. */
  private static final int MAX_CN_LENGTH = 64;
  private static final Pattern OCTAL_LOOKING = Pattern.compile("(^|\\.)0[0-9]");

  public CertificateRequest {
    if (role == null) throw new InvalidRequestException("role", "must be server, agent or client");
    Objects.requireNonNull(name, "name");
    checkDnsName("name", name, false);
    if (name.length() > MAX_CN_LENGTH) {
      throw new InvalidRequestException("name", "at most " + MAX_CN_LENGTH + " characters (a subject CN's limit), got " + name.length());
    }
    dnsNames = List.copyOf(dnsNames);
    for (String dns : dnsNames) checkDnsName("dns", dns, true);
    List<String> canonical = new ArrayList<>();
    for (String ip : ipAddresses) canonical.add(canonicalIp(ip));
    ipAddresses = List.copyOf(canonical);
    checkDays(days);
  }

  /** A request with the default validity and no extra names. */
  public static CertificateRequest of(Role role, String name) {
    return new CertificateRequest(role, name, List.of(), List.of(), DEFAULT_DAYS);
  }

  /** The SAN DNS names in order, without repeats: the name, the role's name, {@code localhost} for a server, then {@link #dnsNames()}. */
  public List<String> sanDnsNames() {
    Set<String> out = new LinkedHashSet<>();
    out.add(name);
    out.add(role.sanName());
    if (role == Role.SERVER) out.add("localhost");
    out.addAll(dnsNames);
    return dedupeIgnoringCase(out);
  }

  /** The SAN IP addresses in order, without repeats: {@code 127.0.0.1} for a server, then {@link #ipAddresses()}. */
  public List<String> sanIpAddresses() {
    Set<String> out = new LinkedHashSet<>();
    if (role == Role.SERVER) out.add("127.0.0.1");
    out.addAll(ipAddresses);
    return List.copyOf(out);
  }

  /** @throws InvalidRequestException (field {@code days}) unless 1 <= days <= {@link #MAX_DAYS} */
  static void checkDays(int days) {
    if (days < 1 || days > MAX_DAYS) {
      throw new InvalidRequestException("days", "must be between 1 and " + MAX_DAYS + ", got " + days);
    }
  }

  private static List<String> dedupeIgnoringCase(Set<String> names) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (seen.add(n.toLowerCase(Locale.ROOT))) out.add(n);
    }
    return List.copyOf(out);
  }

  private static void checkDnsName(String field, String name, boolean wildcardAllowed) {
    String rest = wildcardAllowed && name.startsWith("*.") ? name.substring(2) : name;
    if (name.length() > MAX_DNS_LENGTH || rest.isEmpty()) {
      throw new InvalidRequestException(field, "not a DNS name: \"" + name + "\"");
    }
    for (String label : rest.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        throw new InvalidRequestException(field, "not a DNS name: \"" + name + "\" (letters, digits and"
            + " hyphens in dot-separated labels of at most 63" + (wildcardAllowed ? "; \"*.\" may lead)" : ")"));
      }
    }
    if (Role.isReservedName(rest)) {
      throw new InvalidRequestException(field, "\"" + name + "\" is reserved: names under ." + Role.DOMAIN
          + " carry roles, and the role adds its own");
    }
  }

  private static String canonicalIp(String ip) {
    // Validate as a literal first: InetAddress.getByName would look a non-literal up in DNS.
    if (ip == null || !(IPAddress.isValidIPv4(ip) || IPAddress.isValidIPv6(ip))) {
      throw new InvalidRequestException("ip", "not an IP address: \"" + ip + "\"");
    }
    if (IPAddress.isValidIPv4(ip) && OCTAL_LOOKING.matcher(ip).find()) {
      // 010.0.0.1 is 10.0.0.1 to Java but 8.0.0.1 to inet_aton: refuse rather than guess.
      throw new InvalidRequestException("ip", "\"" + ip + "\": an octet with a leading zero is ambiguous");
    }
    try {
      return InetAddress.getByName(ip).getHostAddress();
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new InvalidRequestException("ip", "not an IP address: \"" + ip + "\"");
    }
  }
}
