package ogp.reconciler.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FleetStatusTest {
  private static final String REV = "rev1";

  /** A container as the agent reports it after running this app's spec. */
  private static ContainerStatus running(App app, int instance, ContainerStatus.Health health) {
    ContainerSpec spec = AssignmentBuilder.spec(app, instance, REV);
    return ContainerStatus.newBuilder()
        .setApp(app.name())
        .setInstance(instance)
        .setVersion(app.version())
        .setContainerId("c-" + app.name() + instance)
        .setState("running")
        .setHealth(health)
        .setRevision(REV)
        .setSpecHash(spec.getSpecHash())
        .build();
  }

  private static HostView host(
      String id, boolean connected, long sentGen, long reportGen, ContainerStatus... containers) {
    StatusReport report =
        StatusReport.newBuilder()
            .setGeneration(reportGen)
            .setRevision(REV)
            .addAllContainers(List.of(containers))
            .build();
    return new HostView(id, Map.of("role", "web"), connected, report, sentGen);
  }

  static Stream<Arguments> cases() {
    App web = TestApps.onHosts("web", "42", "a");
    App web41 = TestApps.onHosts("web", "41", "a");
    App absent = TestApps.app("web", "42", AppState.ABSENT, new Placement.Hosts(List.of("a")), 1);
    App twice = TestApps.app("web", "42", AppState.RUNNING, new Placement.Hosts(List.of("a")), 2);
    var H = ContainerStatus.Health.HEALTHY;
    return Stream.of(
        Arguments.of(
            "running as desired is Synced and Healthy",
            web,
            host("a", true, 5, 5, running(web, 0, H)),
            SyncStatus.Synced,
            HealthStatus.Healthy,
            List.of()),
        Arguments.of(
            "no container after converging is OutOfSync and Missing",
            web,
            host("a", true, 5, 5),
            SyncStatus.OutOfSync,
            HealthStatus.Missing,
            List.of("create web#0 at 42")),
        Arguments.of(
            "an assignment not yet reported is Progressing",
            web,
            host("a", true, 6, 5),
            SyncStatus.Progressing,
            HealthStatus.Progressing,
            List.of("create web#0 at 42")),
        Arguments.of(
            "an old version is replaced",
            web,
            host("a", true, 5, 5, running(web41, 0, H)),
            SyncStatus.OutOfSync,
            HealthStatus.Progressing,
            List.of("replace web#0 41 -> 42")),
        Arguments.of(
            "an unhealthy container is Degraded but Synced",
            web,
            host("a", true, 5, 5, running(web, 0, ContainerStatus.Health.UNHEALTHY)),
            SyncStatus.Synced,
            HealthStatus.Degraded,
            List.of()),
        Arguments.of(
            "a starting container is Progressing",
            web,
            host("a", true, 5, 5, running(web, 0, ContainerStatus.Health.STARTING)),
            SyncStatus.Synced,
            HealthStatus.Progressing,
            List.of()),
        Arguments.of(
            "an exited container must be started",
            web,
            host(
                "a",
                true,
                5,
                5,
                running(web, 0, H).toBuilder().setState("exited").setExitCode(137).build()),
            SyncStatus.OutOfSync,
            HealthStatus.Degraded,
            List.of("start web#0")),
        Arguments.of(
            "absent with a leftover container is OutOfSync until removed",
            absent,
            host("a", true, 5, 5, running(web, 0, H)),
            SyncStatus.OutOfSync,
            HealthStatus.Progressing,
            List.of("remove web#0")),
        Arguments.of(
            "absent and removed is Synced",
            absent,
            host("a", true, 5, 5),
            SyncStatus.Synced,
            HealthStatus.Healthy,
            List.of()),
        Arguments.of(
            "a disconnected host is Unknown, never Missing",
            web,
            host("a", false, 5, 5, running(web, 0, H)),
            SyncStatus.Unknown,
            HealthStatus.Unknown,
            List.of("waiting for host a to connect")),
        Arguments.of(
            "a failed pull is Degraded with the old version kept",
            web,
            host(
                "a",
                true,
                5,
                5,
                running(web41, 0, H).toBuilder().setLastError("manifest unknown").build()),
            SyncStatus.OutOfSync,
            HealthStatus.Degraded,
            List.of("replace web#0 41 -> 42")),
        Arguments.of(
            "a missing second instance is created",
            twice,
            host("a", true, 5, 5, running(twice, 0, H)),
            SyncStatus.OutOfSync,
            HealthStatus.Missing,
            List.of("create web#1 at 42")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void statusOfOneAppOnOneHost(
      String name,
      App app,
      HostView host,
      SyncStatus sync,
      HealthStatus health,
      List<String> actions) {
    AppStatus status =
        FleetStatus.compute(DesiredState.of(List.of(app)), REV, List.of(host)).get(0);
    AppHostStatus onHost = status.hosts().get(0);
    assertEquals(sync, onHost.sync(), "sync");
    assertEquals(health, onHost.health(), "health");
    assertEquals(actions, onHost.plannedActions(), "planned actions");
    assertEquals(sync, status.sync(), "app sync is the host's");
  }

  @Test
  void appHealthIsTheWorstOfItsHosts() {
    App web = TestApps.onHosts("web", "42", "a", "b");
    var ok = host("a", true, 5, 5, running(web, 0, ContainerStatus.Health.HEALTHY));
    var bad =
        new HostView("b", Map.of(), true, StatusReport.newBuilder().setGeneration(5).build(), 5);
    AppStatus status =
        FleetStatus.compute(DesiredState.of(List.of(web)), REV, List.of(ok, bad)).get(0);
    assertEquals(HealthStatus.Missing, status.health());
    assertEquals(SyncStatus.OutOfSync, status.sync());
    assertEquals(List.of("a", "b"), status.hosts().stream().map(AppHostStatus::host).toList());
  }

  @Test
  void selectorPlacesOnMatchingHostsOnly() {
    App web =
        TestApps.app(
            "web", "42", AppState.RUNNING, new Placement.Selector(Map.of("role", "web")), 1);
    var match =
        new HostView("a", Map.of("role", "web"), true, StatusReport.newBuilder().build(), 0);
    var other = new HostView("b", Map.of("role", "db"), true, StatusReport.newBuilder().build(), 0);
    AppStatus status =
        FleetStatus.compute(DesiredState.of(List.of(web)), REV, List.of(match, other)).get(0);
    assertEquals(List.of("a"), status.hosts().stream().map(AppHostStatus::host).toList());
    assertEquals("selector: role=web", status.placement());
  }

  @Test
  void selectorMatchingNoHostIsMissing() {
    App web =
        TestApps.app(
            "web", "42", AppState.RUNNING, new Placement.Selector(Map.of("role", "web")), 1);
    AppStatus status =
        FleetStatus.compute(DesiredState.of(List.of(web)), REV, new ArrayList<>()).get(0);
    assertEquals(HealthStatus.Missing, status.health());
  }
}
