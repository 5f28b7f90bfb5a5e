package ogp.reconciler.plan;

import java.util.Map;
import ogp.protocol.v1.StatusReport;

/**
 * What the reconciler knows of one host at one moment, the input of {@link FleetStatus}.
 *
 * @param connected whether its agent is connected now (a lost host is not)
 * @param lastReport its last report, kept when it disconnects (then stale); null if none yet
 * @param sentGeneration the generation of the last assignment sent to it, 0 if none
 */
public record HostView(
    String hostId,
    Map<String, String> labels,
    boolean connected,
    StatusReport lastReport,
    long sentGeneration) {
  public HostView {
    labels = Map.copyOf(labels);
  }
}
