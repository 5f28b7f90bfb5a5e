package ogp.reconciler.rollout;

import java.util.List;
import ogp.protocol.v1.ContainerStatus;

/**
 * One host the app of a rollout is placed on, as its agent last reported it.
 *
 * @param connected whether its agent is connected now and has reported since the server started;
 *     a host that is not is left for later
 * @param containers what the host reported of this app only (empty when nothing or no report yet)
 */
public record RolloutHost(String hostId, boolean connected, List<ContainerStatus> containers) {
  public RolloutHost {
    containers = List.copyOf(containers);
  }
}
