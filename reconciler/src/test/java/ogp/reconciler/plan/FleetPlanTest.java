package ogp.reconciler.plan;

import static ogp.reconciler.plan.TestApps.app;
import static ogp.reconciler.plan.TestApps.onHosts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ogp.protocol.v1.ContainerSpec;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared plan gives each host exactly what a plain scan of every app gives, in the same order. */
class FleetPlanTest {
  private static final DesiredState STATE = DesiredState.of(List.of(
      onHosts("api", "2", "h1", "h2"),
      app("cache", "7", AppState.RUNNING, new Placement.Selector(Map.of("role", "web")), 2),
      onHosts("db", "15", "h2"),
      app("gone", "1", AppState.ABSENT, new Placement.Hosts(List.of("h1")), 1),
      app("jobs", "3", AppState.STOPPED, new Placement.Selector(Map.of("zone", "a")), 1),
      onHosts("twice", "1", "h1", "h1"),
      onHosts("zeta", "9", "h3")));

  @ParameterizedTest
  @CsvSource({"h1, role=web", "h2, zone=a", "h3, ''", "h4, role=web", "nobody, ''"})
  void everyHostGetsWhatAPlainScanOfEveryAppGives(String host, String label) {
    Map<String, String> labels = label.isEmpty() ? Map.of() : Map.of(label.split("=")[0], label.split("=")[1]);
    FleetPlan plan = new FleetPlan(STATE, "rev1");

    assertEquals(scan(STATE, "rev1", host, labels), plan.containersFor(host, labels));
  }

  @Test
  void hostGetsOneSpecPerInstanceOfEveryPlacedRunningApp() {
    DesiredState state = DesiredState.of(List.of(
        app("web", "42", AppState.RUNNING, new Placement.Hosts(List.of("a")), 2),
        app("db", "15", AppState.STOPPED, new Placement.Selector(Map.of("role", "db")), 1),
        app("old", "1", AppState.ABSENT, new Placement.Hosts(List.of("a")), 1),
        onHosts("elsewhere", "1", "b")));
    List<ContainerSpec> specs = new FleetPlan(state, "r1").containersFor("a", Map.of("role", "db"));
    assertEquals(List.of("db#0", "web#0", "web#1"), specs.stream().map(s -> s.getApp() + "#" + s.getInstance()).toList());
    assertEquals(ContainerSpec.RunState.STOPPED, specs.get(0).getState());
  }

  /** The reference the plan is checked against: every app, in name order, if it runs and selects the host. */
  private static List<ContainerSpec> scan(DesiredState state, String revision, String hostId, Map<String, String> labels) {
    List<ContainerSpec> specs = new ArrayList<>();
    for (App app : state.apps().values()) {
      if (app.state() == AppState.ABSENT || !app.placement().selects(hostId, labels)) continue;
      for (int instance = 0; instance < app.instances(); instance++) specs.add(AssignmentBuilder.spec(app, instance, revision));
    }
    return specs;
  }
}
