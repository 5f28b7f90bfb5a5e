package ogp.agent.link;

import java.util.Map;
import java.util.Objects;
import ogp.protocol.HostIds;

/**
 * What an agent says about itself in every Hello: its host id (a DNS label, see {@link HostIds}),
 * its labels, versions and the host key that proves it is the host that bound the id.
 */
public record AgentIdentity(
    String hostId,
    Map<String, String> labels,
    String agentVersion,
    String dockerVersion,
    HostKey hostKey) {
  public AgentIdentity {
    HostIds.problem(hostId)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    labels = Map.copyOf(labels);
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(dockerVersion, "dockerVersion");
    Objects.requireNonNull(hostKey, "hostKey");
  }

  /** An identity with a fresh in-memory host key (tests): each instance is another identity. */
  public AgentIdentity(
      String hostId, Map<String, String> labels, String agentVersion, String dockerVersion) {
    this(hostId, labels, agentVersion, dockerVersion, HostKey.random());
  }
}
