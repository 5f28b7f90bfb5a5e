package ogp.agent.link;

import java.util.Map;
import java.util.Objects;

/** What an agent says about itself in every Hello. */
public record AgentIdentity(
    String hostId, Map<String, String> labels, String agentVersion, String dockerVersion) {
  public AgentIdentity {
    if (hostId == null || hostId.isBlank()) {
      throw new IllegalArgumentException("host id is required: '" + hostId + "'");
    }
    labels = Map.copyOf(labels);
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(dockerVersion, "dockerVersion");
  }
}
