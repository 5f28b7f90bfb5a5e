package ogp.reconciler.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * One app across the fleet: desired version, state and placement, every host involved, and the
 * app's combined sync and health.
 *
 * @param placement "hosts: a, b" or "selector: role=web"
 * @param rollout where the app's health-gated rollout stands; null when its {@code update} policy
 *     is the default (all hosts at once, no automatic rollback)
 */
public record AppStatus(
    String app,
    String image,
    String desiredVersion,
    String desiredState,
    String placement,
    SyncStatus sync,
    HealthStatus health,
    List<AppHostStatus> hosts,
    RolloutStatus rollout) {

  /** Without a rollout. */
  public AppStatus(
      String app,
      String image,
      String desiredVersion,
      String desiredState,
      String placement,
      SyncStatus sync,
      HealthStatus health,
      List<AppHostStatus> hosts) {
    this(app, image, desiredVersion, desiredState, placement, sync, health, hosts, null);
  }

  /**
   * With the rollout shown: a host the rollout keeps on its version is {@code Progressing} while
   * the rollout goes on ({@code OutOfSync} once it failed), and says why it waits.
   */
  public AppStatus withRollout(RolloutStatus rollout) {
    List<AppHostStatus> shown = new ArrayList<>(hosts.size());
    SyncStatus combined = SyncStatus.Synced;
    for (AppHostStatus h : hosts) {
      AppHostStatus s = h;
      if (rollout.waiting().contains(h.host()) && h.connected()) {
        List<String> actions = new ArrayList<>();
        actions.add(
            (rollout.hasFailed()
                    ? "kept on its version: the rollout stopped"
                    : "waiting for the rollout")
                + " ("
                + rollout.message()
                + ")");
        actions.addAll(h.plannedActions());
        s =
            new AppHostStatus(
                h.host(),
                h.connected(),
                rollout.hasFailed() ? SyncStatus.OutOfSync : SyncStatus.Progressing,
                h.health(),
                h.desiredVersion(),
                h.desiredInstances(),
                h.containers(),
                actions,
                h.lastError());
      }
      shown.add(s);
      combined = SyncStatus.combine(combined, s.sync());
    }
    return new AppStatus(
        app, image, desiredVersion, desiredState, placement, combined, health, shown, rollout);
  }
}
