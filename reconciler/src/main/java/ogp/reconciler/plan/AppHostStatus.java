package ogp.reconciler.plan;

import java.util.List;

/**
 * One app on one host: what should run, what runs, and what the agent still has to do.
 *
 * @param connected whether the host's agent is connected; if not, containers are its last report
 * @param desiredInstances containers that should run there (0 when the app is absent or moved away)
 * @param plannedActions what converging will do, e.g. "replace web#0 41 -> 42"; empty when synced
 */
public record AppHostStatus(
    String host,
    boolean connected,
    SyncStatus sync,
    HealthStatus health,
    String desiredVersion,
    int desiredInstances,
    List<ContainerView> containers,
    List<String> plannedActions,
    String lastError) {}
