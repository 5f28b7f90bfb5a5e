package ogp.reconciler.agents;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import ogp.protocol.v1.StatusReport;

/**
 * A snapshot of what the server knows about one host. A host that disconnected or was lost keeps
 * its identity and last report until it is forgotten ({@code --forget-lost-after}); the report is
 * then stale ({@link #reportStale()}) and must not be read as the host's present state. Every
 * string in it was bounded where the agent's message entered the server.
 *
 * @param labels the labels placement uses: those bound to the host's identity ({@link
 *     HostBindings}), set by its first Hello or by an operator
 * @param remoteAddress the address of the last connection, for operators
 * @param lastHeartbeat when the last message of any kind arrived from the host
 * @param lastReport the last full status report, if the host ever sent one
 * @param declaredLabels the labels the last Hello declared; shown to operators, never used for
 *     placement
 */
public record HostRecord(
    String hostId,
    Map<String, String> labels,
    String agentVersion,
    String dockerVersion,
    String remoteAddress,
    Liveness liveness,
    Instant lastHeartbeat,
    Optional<StatusReport> lastReport,
    Map<String, String> declaredLabels) {

  /** Where the host stands. */
  public enum Liveness {
    /** A live connection exists and the host spoke within the lost grace. */
    CONNECTED,
    /** The connection closed; the lost grace has not run out yet. */
    DISCONNECTED,
    /** Nothing was heard for the lost grace. */
    LOST
  }

  public HostRecord {
    labels = Map.copyOf(labels);
    declaredLabels = Map.copyOf(declaredLabels);
  }

  public boolean connected() {
    return liveness == Liveness.CONNECTED;
  }

  public boolean lost() {
    return liveness == Liveness.LOST;
  }

  /**
   * Commands the agent refused since it started because their epoch was below the highest it had
   * seen, as its last report says (0 before any report).
   */
  public long staleCommandsRefused() {
    return lastReport.map(StatusReport::getStaleCommandsRefused).orElse(0L);
  }

  /** The highest leader epoch the agent has seen, as its last report says (0 before any). */
  public long highestEpoch() {
    return lastReport.map(StatusReport::getHighestEpoch).orElse(0L);
  }

  /** True when the last report may no longer describe the host. */
  public boolean reportStale() {
    return liveness != Liveness.CONNECTED;
  }
}
