package ogp.reconciler.desired;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A published port, {@code host:container[/tcp|udp]}; protocol is "tcp" or "udp". */
public record PortMapping(int hostPort, int containerPort, String protocol) {
  /** What {@link #parse} accepts, for messages. */
  public static final String EXPECTED = "expected host:container[/tcp|udp], ports 1-65535";

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,5}):(\\d{1,5})(?:/(tcp|udp))?");

  /** Parses {@code 8080:80}, {@code 53:53/udp}; empty when malformed or a port is out of range. */
  public static Optional<PortMapping> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) return Optional.empty();
    int host = Integer.parseInt(m.group(1));
    int container = Integer.parseInt(m.group(2));
    if (host < 1 || host > 65535 || container < 1 || container > 65535) return Optional.empty();
    return Optional.of(new PortMapping(host, container, m.group(3) == null ? "tcp" : m.group(3)));
  }
}
