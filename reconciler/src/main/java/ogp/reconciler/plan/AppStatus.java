package ogp.reconciler.plan;

import java.util.List;

/**
 * One app across the fleet: desired version, state and placement, every host involved, and the
 * app's combined sync and health.
 *
 * @param placement "hosts: a, b" or "selector: role=web"
 */
public record AppStatus(
    String app,
    String image,
    String desiredVersion,
    String desiredState,
    String placement,
    SyncStatus sync,
    HealthStatus health,
    List<AppHostStatus> hosts) {}
