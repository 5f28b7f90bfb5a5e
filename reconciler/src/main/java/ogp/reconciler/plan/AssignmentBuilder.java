package ogp.reconciler.plan;

import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ExecProbe;
import ogp.protocol.v1.HttpProbe;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.HealthCheck;
import ogp.reconciler.desired.PortMapping;
import ogp.reconciler.desired.RestartPolicy;
import ogp.reconciler.desired.VolumeMount;

/**
 * Turns one instance of an app into the container spec an agent runs. Pure and deterministic: the
 * same app, instance and revision always give the same spec and spec hash, so an unchanged
 * assignment can be recognised by comparing hashes. {@link FleetPlan} assembles these per host.
 *
 * <p>The revision stamped on a spec is the revision that last changed the app (see {@code
 * AppliedRevision#revisionOf}), not the revision being applied: a commit to another app leaves this
 * app's specs, and the {@code ogp.revision} label of its containers, as they were.
 */
public final class AssignmentBuilder {
  private AssignmentBuilder() {}

  /**
   * The container spec of one instance of an app, with its spec hash set.
   *
   * @param revision the revision that last changed the app
   */
  public static ContainerSpec spec(App app, int instance, String revision) {
    ContainerSpec.Builder b =
        ContainerSpec.newBuilder()
            .setApp(app.name())
            .setInstance(instance)
            .setImage(app.image())
            .setVersion(app.version())
            .addAllCommand(app.command())
            .addAllEntrypoint(app.entrypoint())
            .putAllEnv(app.env())
            .setRestart(restart(app.restart()));
    for (PortMapping p : app.ports()) {
      b.addPorts(
          ogp.protocol.v1.PortMapping.newBuilder()
              .setHostIp(p.hostIp())
              .setHostPort(p.hostPort())
              .setContainerPort(p.containerPort())
              .setProtocol(p.protocol()));
    }
    for (VolumeMount v : app.volumes()) {
      b.addVolumes(
          ogp.protocol.v1.VolumeMount.newBuilder()
              .setHostPath(v.hostPath())
              .setContainerPath(v.containerPath())
              .setReadOnly(v.readOnly()));
    }
    app.health().ifPresent(h -> b.setHealth(health(h)));
    // Hash before the fields the hash excludes (revision, run state) are set: no copy to clear
    // them.
    String hash = SpecHash.ofCanonical(b.build());
    return b.setRevision(revision)
        .setState(
            app.state() == AppState.STOPPED
                ? ContainerSpec.RunState.STOPPED
                : ContainerSpec.RunState.RUNNING)
        .setSpecHash(hash)
        .build();
  }

  private static ContainerSpec.Restart restart(RestartPolicy policy) {
    return switch (policy) {
      case NO -> ContainerSpec.Restart.NO;
      case ON_FAILURE -> ContainerSpec.Restart.ON_FAILURE;
      case ALWAYS -> ContainerSpec.Restart.ALWAYS;
      case UNLESS_STOPPED -> ContainerSpec.Restart.UNLESS_STOPPED;
    };
  }

  private static ogp.protocol.v1.HealthCheck health(HealthCheck h) {
    ogp.protocol.v1.HealthCheck.Builder b =
        ogp.protocol.v1.HealthCheck.newBuilder()
            .setIntervalMs(Math.toIntExact(h.interval().toMillis()))
            .setTimeoutMs(Math.toIntExact(h.timeout().toMillis()))
            .setRetries(h.retries())
            .setStartPeriodMs(Math.toIntExact(h.startPeriod().toMillis()));
    HealthCheck.Probe probe = h.probe();
    if (probe instanceof HealthCheck.Http http) {
      b.setHttp(HttpProbe.newBuilder().setPort(http.port()).setPath(http.path()));
    } else if (probe instanceof HealthCheck.Tcp tcp) {
      b.setTcpPort(tcp.port());
    } else if (probe instanceof HealthCheck.Exec exec) {
      b.setExec(ExecProbe.newBuilder().addAllArgv(exec.argv()));
    }
    return b.build();
  }
}
