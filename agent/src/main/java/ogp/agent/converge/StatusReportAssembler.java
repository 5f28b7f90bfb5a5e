package ogp.agent.converge;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ogp.agent.probe.HealthMonitor;
import ogp.agent.runtime.ContainerKey;
import ogp.agent.runtime.EngineInfo;
import ogp.agent.runtime.ManagedContainer;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;

/**
 * Builds the {@link StatusReport} of a host: every managed container as Docker reports it (with its
 * health and the last error of its key), then every desired container that has none, as {@code
 * failed} when an action for it failed and {@code pending} otherwise. The revision and generation
 * are those of the assignment last converged to.
 */
final class StatusReportAssembler {
  static final String FAILED = "failed";
  static final String PENDING = "pending";

  private final HealthMonitor health;

  StatusReportAssembler(HealthMonitor health) {
    this.health = health;
  }

  StatusReport assemble(
      Assignment assignment,
      List<ContainerSpec> desired,
      List<ManagedContainer> observed,
      Map<ContainerKey, String> errors,
      EngineInfo engine,
      String hostError) {
    StatusReport.Builder report = header(assignment, engine, hostError);
    Set<ContainerKey> present = new HashSet<>();
    observed.stream()
        .sorted(
            java.util.Comparator.comparing(ManagedContainer::key)
                .thenComparing(ManagedContainer::id))
        .forEach(
            container -> {
              present.add(container.key());
              report.addContainers(
                  ContainerStatus.newBuilder()
                      .setApp(container.app())
                      .setInstance(Math.max(0, container.instance()))
                      .setVersion(container.version())
                      .setContainerId(container.id())
                      .setState(container.state())
                      .setHealth(health.health(container.id()))
                      .setExitCode(container.exitCode())
                      .setRestartCount(container.restartCount())
                      .setRevision(container.revision())
                      .setSpecHash(container.specHash())
                      .setLastError(errors.getOrDefault(container.key(), "")));
            });
    for (ContainerSpec spec : desired) {
      ContainerKey key = ContainerKey.of(spec);
      if (!present.contains(key)) {
        report.addContainers(missing(spec, errors.get(key)));
      }
    }
    return report.build();
  }

  /** Docker could not be asked: every desired container is reported without a container. */
  StatusReport unreachable(
      Assignment assignment,
      List<ContainerSpec> desired,
      Map<ContainerKey, String> errors,
      EngineInfo engine,
      String hostError) {
    StatusReport.Builder report = header(assignment, engine, hostError);
    desired.forEach(spec -> report.addContainers(missing(spec, errors.get(ContainerKey.of(spec)))));
    return report.build();
  }

  private static StatusReport.Builder header(
      Assignment assignment, EngineInfo engine, String hostError) {
    return StatusReport.newBuilder()
        .setRevision(assignment.getRevision())
        .setGeneration(assignment.getGeneration())
        .setDockerVersion(engine.version())
        .setLastError(hostError == null ? "" : hostError);
  }

  private static ContainerStatus missing(ContainerSpec spec, String error) {
    return ContainerStatus.newBuilder()
        .setApp(spec.getApp())
        .setInstance(spec.getInstance())
        .setVersion(spec.getVersion())
        .setState(error == null ? PENDING : FAILED)
        .setRevision(spec.getRevision())
        .setSpecHash(spec.getSpecHash())
        .setLastError(error == null ? "" : error)
        .build();
  }
}
