package ogp.reconciler.rollout;

import java.util.List;
import ogp.protocol.v1.ContainerStatus;

/**
 * What a rollout step knows of one host the app is placed on.
 *
 * @param connected whether its agent is connected now and has reported since the server started; a
 *     host that is not is left for later
 * @param containers what the host reported of this app only (empty when nothing or no report yet)
 * @param mayBeUpdating whether a host that is not connected may still be in the middle of an update
 *     that an earlier server run started (it has not reported since this server started, and the
 *     server started less than the app's {@code healthyDeadline} or the agents' reconnect grace
 *     ago, whichever is longer)
 */
record RolloutHost(
    String hostId, boolean connected, List<ContainerStatus> containers, boolean mayBeUpdating) {
  public RolloutHost {
    containers = List.copyOf(containers);
  }

  /** A host that is known to this server (only its connection may be missing). */
  public RolloutHost(String hostId, boolean connected, List<ContainerStatus> containers) {
    this(hostId, connected, containers, false);
  }
}
