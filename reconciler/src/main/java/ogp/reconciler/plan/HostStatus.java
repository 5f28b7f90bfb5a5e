package ogp.reconciler.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One host as the API shows it.
 *
 * @param status "connected", or "lost" when its agent missed heartbeats past the grace or
 *     disconnected; its containers are then its last report (stale)
 * @param labels the labels placement uses: those bound to the host's identity
 * @param declaredLabels the labels the agent's last Hello declared, when they differ from {@code
 *     labels} (null otherwise): the server keeps the bound ones
 * @param revoked whether an admin revoked the host ({@code ogp hosts revoke}): its agent is refused
 *     and its containers, left running, are its last report
 * @param staleCommandsRefused from the last report: commands the agent refused since it started
 *     because their leader epoch was below the highest it had seen (a deposed server's); 0 before
 *     any report
 * @param highestEpoch from the last report: the highest leader epoch the agent has seen (kept in
 *     its data dir; 0 with a single server without etcd)
 */
public record HostStatus(
    String host,
    String status,
    Map<String, String> labels,
    Instant lastHeartbeat,
    String agentVersion,
    String dockerVersion,
    String address,
    String revision,
    List<HostContainer> containers,
    String lastError,
    Map<String, String> declaredLabels,
    boolean revoked,
    long staleCommandsRefused,
    long highestEpoch) {

  /** A host whose agent reported no epoch (a single server). */
  public HostStatus(
      String host,
      String status,
      Map<String, String> labels,
      Instant lastHeartbeat,
      String agentVersion,
      String dockerVersion,
      String address,
      String revision,
      List<HostContainer> containers,
      String lastError,
      Map<String, String> declaredLabels,
      boolean revoked) {
    this(
        host,
        status,
        labels,
        lastHeartbeat,
        agentVersion,
        dockerVersion,
        address,
        revision,
        containers,
        lastError,
        declaredLabels,
        revoked,
        0,
        0);
  }

  /** A host that is not revoked. */
  public HostStatus(
      String host,
      String status,
      Map<String, String> labels,
      Instant lastHeartbeat,
      String agentVersion,
      String dockerVersion,
      String address,
      String revision,
      List<HostContainer> containers,
      String lastError,
      Map<String, String> declaredLabels) {
    this(
        host,
        status,
        labels,
        lastHeartbeat,
        agentVersion,
        dockerVersion,
        address,
        revision,
        containers,
        lastError,
        declaredLabels,
        false);
  }

  /**
   * The same without the time of the last heartbeat, which changes every few seconds: the watch's
   * Host object, so that a heartbeat is not a change (at 10,000 hosts it would be thousands of
   * events a second to every watcher).
   */
  public HostStatus withoutHeartbeatTime() {
    return new HostStatus(
        host,
        status,
        labels,
        null,
        agentVersion,
        dockerVersion,
        address,
        revision,
        containers,
        lastError,
        declaredLabels,
        revoked,
        staleCommandsRefused,
        highestEpoch);
  }

  /** A managed container on the host, with its app. */
  public record HostContainer(String app, ContainerView container) {}
}
