package ogp.agent.replicas;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One server agent endpoint of {@code --server}, {@code HOST:PORT} ({@code [v6]:PORT} for an IPv6
 * literal), and the comma-separated list of them that names every replica.
 *
 * <p>Policy: two addresses are the same when their hosts are equal ignoring case and their ports
 * are equal; nothing is resolved, so a redirect is followed only to an address written as the
 * operator wrote it in the list. Parsing gives one sentence for the first bad entry: an empty one,
 * one without a port (or with one outside 1–65535), or one given twice.
 *
 * @param host the host name or address as given, without the brackets of an IPv6 literal
 */
public record ServerAddress(String host, int port) {
  public ServerAddress {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) throw new IllegalArgumentException("a server address needs a host");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
  }

  /**
   * One {@code HOST:PORT} entry.
   *
   * @throws IllegalArgumentException with one sentence naming the entry
   */
  public static ServerAddress parse(String entry) {
    String text = entry.strip();
    int colon = text.lastIndexOf(':');
    if (text.isEmpty()) throw new IllegalArgumentException("an empty server address");
    String host = colon <= 0 ? "" : text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port = -1;
    if (colon > 0 && colon < text.length() - 1) {
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    // An IPv6 literal without brackets ("::1") would lose a part to the port: refuse it.
    if (host.isBlank() || port < 1 || port > 65535 || (host.contains(":") && !text.startsWith("[")))
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (port 1-65535)");
    return new ServerAddress(host, port);
  }

  /**
   * A comma-separated list, {@code a:7070,b:7070,c:7070}, in its order; a single entry is a list of
   * one.
   *
   * @throws IllegalArgumentException with one sentence naming the first bad entry
   */
  public static List<ServerAddress> parseList(String list) {
    Objects.requireNonNull(list, "list");
    List<ServerAddress> servers = new ArrayList<>();
    for (String entry : list.split(",", -1)) {
      if (entry.isBlank()) {
        throw new IllegalArgumentException(
            "'" + list.strip() + "' has an empty entry; expected HOST:PORT[,HOST:PORT...]");
      }
      ServerAddress server = parse(entry);
      if (indexIn(servers, server).isPresent()) {
        throw new IllegalArgumentException("'" + entry.strip() + "' is given twice");
      }
      servers.add(server);
    }
    return List.copyOf(servers);
  }

  /** The position of {@code address} in {@code servers} (host ignoring case), if it is there. */
  public static Optional<Integer> indexIn(List<ServerAddress> servers, ServerAddress address) {
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i).sameAs(address)) return Optional.of(i);
    }
    return Optional.empty();
  }

  /** The list as {@code --server} takes it. */
  public static String format(List<ServerAddress> servers) {
    return String.join(",", servers.stream().map(ServerAddress::toString).toList());
  }

  /** Same host (ignoring case) and port. */
  public boolean sameAs(ServerAddress other) {
    return port == other.port
        && host.toLowerCase(Locale.ROOT).equals(other.host.toLowerCase(Locale.ROOT));
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
