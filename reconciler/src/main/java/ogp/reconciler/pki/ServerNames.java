package ogp.reconciler.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names a server certificate must carry: DNS names and IP addresses, as {@code ogp server
 * --server-name} takes them (one list, each entry either).
 *
 * <p>Policy: an entry that is an IP literal is an address (written in Java's canonical form, so
 * {@code ::1} and {@code 0:0:0:0:0:0:0:1} are one name); anything else must be a DNS name and is
 * kept lower-case; duplicates are dropped, the first order kept. Nothing is looked up in DNS. Two
 * {@code ServerNames} are equal when they hold the same names, whatever the order.
 */
public record ServerNames(List<String> dnsNames, List<String> ipAddresses) {
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  public ServerNames {
    dnsNames = List.copyOf(new LinkedHashSet<>(dnsNames));
    ipAddresses = List.copyOf(new LinkedHashSet<>(ipAddresses));
  }

  /**
   * The names in {@code entries}, each a DNS name or an IP literal.
   *
   * @throws IllegalArgumentException naming the first entry that is neither
   */
  public static ServerNames parse(Collection<String> entries) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.strip();
      String address = canonicalAddress(entry);
      if (address != null) {
        ips.add(address);
      } else if (CertificateAuthority.isDnsName(entry)) {
        dns.add(entry.toLowerCase(Locale.ROOT));
      } else {
        throw new IllegalArgumentException(
            "'" + raw + "' is neither a DNS name nor an IP address (--server-name)");
      }
    }
    if (dns.isEmpty() && ips.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    return new ServerNames(dns, ips);
  }

  /** The DNS and IP subject alternative names of {@code certificate}. */
  public static ServerNames of(X509Certificate certificate) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          Object type = entry.get(0);
          String value = String.valueOf(entry.get(1));
          if (Integer.valueOf(SAN_DNS).equals(type)) dns.add(value.toLowerCase(Locale.ROOT));
          if (Integer.valueOf(SAN_IP).equals(type)) {
            String address = canonicalAddress(value);
            ips.add(address == null ? value : address);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // An unparsable extension names nothing: the certificate is then re-issued.
    }
    return new ServerNames(dns, ips);
  }

  /** Whether both hold the same names, in any order. */
  public boolean sameNames(ServerNames other) {
    return Set.copyOf(dnsNames).equals(Set.copyOf(other.dnsNames))
        && Set.copyOf(ipAddresses).equals(Set.copyOf(other.ipAddresses));
  }

  /** All names, DNS names first: for messages. */
  public List<String> all() {
    List<String> all = new ArrayList<>(dnsNames);
    all.addAll(ipAddresses);
    return all;
  }

  /** The canonical form of an IP literal, or null when {@code text} is none. */
  static String canonicalAddress(String text) {
    // Literals only: InetAddress would look a name up in DNS. A zone (fe80::1%eth0) names an
    // interface, which no certificate can carry.
    String bare =
        text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    boolean v4 = bare.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = bare.contains(":") && bare.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) return null;
    try {
      return InetAddress.getByName(bare).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
