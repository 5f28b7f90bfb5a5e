package ogp.reconciler.rollout;

import java.util.List;

/**
 * A rollout that stopped: a host given the app's new version was not healthy within the {@code
 * healthyDeadline}. Told once per app and target per server run.
 *
 * @param revision the applied revision whose version failed
 * @param hosts the hosts that were not healthy in time
 * @param reason one sentence, for events and the rollback commit
 * @param autoRollback whether the app asks for the revert to be committed
 */
public record RolloutFailure(
    String app,
    String version,
    String revision,
    List<String> hosts,
    String reason,
    boolean autoRollback) {
  public RolloutFailure {
    hosts = List.copyOf(hosts);
  }
}
