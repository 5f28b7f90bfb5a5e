package ogp.reconciler.desired;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A published port, {@code [ip:]host:container[/tcp|udp]} as Docker and Compose write it; protocol
 * is "tcp" or "udp"; {@code hostIp} is the host address it is published on ({@code ""}: every
 * address), an IPv4 literal or an IPv6 literal in brackets ({@code [::1]:8080:80}).
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
  /** What {@link #parse} accepts, for messages. */
  public static final String EXPECTED = "expected [ip:]host:container[/tcp|udp], ports 1-65535";

  private static final Pattern FORMAT =
      Pattern.compile(
          "(?:(\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]):)?(\\d{1,5}):(\\d{1,5})(?:/(tcp|udp))?");

  /** Published on every host address. */
  public PortMapping(int hostPort, int containerPort, String protocol) {
    this("", hostPort, containerPort, protocol);
  }

  /**
   * Parses {@code 8080:80}, {@code 127.0.0.1:8080:80}, {@code 53:53/udp}; empty when malformed or
   * out of range.
   */
  public static Optional<PortMapping> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) return Optional.empty();
    String ip = m.group(1) == null ? "" : m.group(1);
    if (!ip.isEmpty() && !validIp(ip)) return Optional.empty();
    int host = Integer.parseInt(m.group(2));
    int container = Integer.parseInt(m.group(3));
    if (host < 1 || host > 65535 || container < 1 || container > 65535) return Optional.empty();
    // Docker takes an IPv6 host address without its brackets.
    String address = ip.startsWith("[") ? ip.substring(1, ip.length() - 1) : ip;
    return Optional.of(
        new PortMapping(address, host, container, m.group(4) == null ? "tcp" : m.group(4)));
  }

  private static boolean validIp(String ip) {
    if (ip.startsWith("[")) {
      try {
        // A bracketed literal: the JDK parses it without any name lookup.
        return java.net.InetAddress.getByName(ip.substring(1, ip.length() - 1))
            instanceof java.net.Inet6Address;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    for (String part : ip.split("\\.")) {
      if (Integer.parseInt(part) > 255) return false;
    }
    return true;
  }
}
