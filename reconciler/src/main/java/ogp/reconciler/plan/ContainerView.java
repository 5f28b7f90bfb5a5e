package ogp.reconciler.plan;

import ogp.protocol.v1.ContainerStatus;

/** One observed container of an app on a host, as the API shows it. */
public record ContainerView(
    int instance,
    String version,
    String containerId,
    String state,
    String health,
    int exitCode,
    int restartCount,
    String revision,
    String lastError) {

  /** The API view of a container as an agent reported it. */
  public static ContainerView of(ContainerStatus c) {
    return new ContainerView(
        c.getInstance(),
        c.getVersion(),
        c.getContainerId(),
        c.getState(),
        c.getHealth() == ContainerStatus.Health.HEALTH_UNSPECIFIED
            ? "none"
            : c.getHealth().name().toLowerCase(java.util.Locale.ROOT),
        c.getExitCode(),
        c.getRestartCount(),
        c.getRevision(),
        c.getLastError());
  }
}
