package ogp.agent.replicas;

import java.util.List;
import java.util.Optional;
import ogp.protocol.LogText;
import ogp.protocol.v1.Redirect;

/**
 * Whether an agent follows a replica's Redirect, the one rule of the link and of enrolment: only to
 * an address of its own {@code --server} list (same host ignoring case, same port; nothing is
 * resolved), and only when the epoch is not below the highest the agent has seen (a redirect at
 * epoch 0 counts as below any epoch seen). A redirect is unauthenticated on a plain link and proves
 * nothing: it never raises the highest epoch.
 *
 * @param target the list's entry to dial, when the redirect is followed
 * @param refusal why not, naming the address (escaped) and the rule, when it is not
 */
public record RedirectCheck(Optional<ServerAddress> target, String refusal) {

  /** Checks {@code redirect} against the list and the highest epoch seen. */
  public static RedirectCheck of(
      Redirect redirect, List<ServerAddress> servers, long highestEpoch) {
    String address = redirect.getAgentAddress();
    Optional<Integer> index;
    try {
      index = ServerAddress.indexIn(servers, ServerAddress.parse(address));
    } catch (IllegalArgumentException notAnAddress) {
      index = Optional.empty();
    }
    String to = "to " + LogText.quote(address, 100);
    if (index.isEmpty()) {
      return refused(to + ": not in --server list " + ServerAddress.format(servers));
    }
    long epoch = redirect.getEpoch();
    if (Long.compareUnsigned(epoch, highestEpoch) < 0 || epoch == 0 && highestEpoch != 0) {
      return refused(
          to
              + ": stale epoch "
              + Long.toUnsignedString(epoch)
              + " < "
              + Long.toUnsignedString(highestEpoch));
    }
    return new RedirectCheck(Optional.of(servers.get(index.get())), null);
  }

  private static RedirectCheck refused(String why) {
    return new RedirectCheck(Optional.empty(), why);
  }

  public boolean followed() {
    return target.isPresent();
  }
}
