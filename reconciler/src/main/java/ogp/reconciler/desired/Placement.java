package ogp.reconciler.desired;

import java.util.List;
import java.util.Map;

/** Where an app runs: an explicit list of host ids, or every host whose labels match. */
public sealed interface Placement {

  /** Whether a host with this id and these agent labels is selected. */
  boolean selects(String hostId, Map<String, String> labels);

  /** Placement by host id ({@code hosts: [a, b]}). */
  record Hosts(List<String> hostIds) implements Placement {
    public Hosts {
      hostIds = List.copyOf(hostIds);
    }

    @Override
    public boolean selects(String hostId, Map<String, String> labels) {
      return hostIds.contains(hostId);
    }
  }

  /** Placement by agent labels ({@code selector: {role: web}}): all pairs must match. */
  record Selector(Map<String, String> matchLabels) implements Placement {
    public Selector {
      matchLabels = Map.copyOf(matchLabels);
    }

    @Override
    public boolean selects(String hostId, Map<String, String> labels) {
      return labels.entrySet().containsAll(matchLabels.entrySet());
    }
  }
}
