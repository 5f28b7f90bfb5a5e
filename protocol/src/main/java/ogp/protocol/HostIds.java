package ogp.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a host id may be: a DNS label — lower-case letters, digits and inner hyphens, 1 to 63
 * characters ({@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}), as Kubernetes node names and certificate
 * names allow. The agent checks its own at start-up, the server every Hello; so a host id is safe
 * in a file name, a URL path, a certificate name and a log line.
 */
public final class HostIds {
  /** Longest host id: the length of a DNS label. */
  public static final int MAX_LENGTH = 63;

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private HostIds() {}

  public static boolean valid(String hostId) {
    return hostId != null && hostId.length() <= MAX_LENGTH && LABEL.matcher(hostId).matches();
  }

  /** Why the host id is refused, as one sentence, or empty when it is valid. */
  public static Optional<String> problem(String hostId) {
    if (valid(hostId)) return Optional.empty();
    return Optional.of(
        "host id "
            + LogText.quote(hostId == null ? "" : hostId)
            + " is not a DNS label: use 1 to "
            + MAX_LENGTH
            + " lower-case letters, digits and inner hyphens (like db-1)");
  }
}
