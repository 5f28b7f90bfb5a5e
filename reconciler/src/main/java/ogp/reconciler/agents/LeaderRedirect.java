package ogp.reconciler.agents;

/**
 * Where a replica that does not lead sends agents: the leader's agent address ({@code host:port},
 * as agents dial it) and its epoch. Sent as the protocol's {@code Redirect} frame.
 */
public record LeaderRedirect(String agentAddress, long epoch) {
  public LeaderRedirect {
    if (agentAddress == null || agentAddress.isBlank())
      throw new IllegalArgumentException("a redirect needs the leader's agent address");
    if (epoch <= 0) throw new IllegalArgumentException("a leader's epoch is positive: " + epoch);
  }
}
