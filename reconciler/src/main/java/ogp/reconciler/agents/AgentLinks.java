package ogp.reconciler.agents;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import ogp.protocol.v1.Assignment;

/**
 * What the control loop needs of the agents: the hosts seen and their latest reports, and a way to
 * send a host its assignment. {@link AgentServer} is the real one; a unit test of the loop gives a
 * fake one.
 */
public interface AgentLinks {
  /** Every host seen since this server started, connected or not. */
  Collection<HostRecord> hosts();

  Optional<HostRecord> host(String hostId);

  /**
   * Pushes the complete assignment of a host to its live connection, latest wins.
   *
   * @return false when the host has no live connection (the assignment is then dropped)
   */
  boolean send(String hostId, Assignment assignment);

  /** The host ids an admin revoked (their agents are refused); none unless the links revoke. */
  default Set<String> revokedHosts() {
    return Set.of();
  }
}
