package ogp.reconciler.plan;

import static ogp.reconciler.plan.TestApps.app;
import static ogp.reconciler.plan.TestApps.onHosts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared plan gives each host exactly what the per-host builder gives, in the same order. */
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
  void everyHostGetsWhatAssignmentBuilderGives(String host, String label) {
    Map<String, String> labels = label.isEmpty() ? Map.of() : Map.of(label.split("=")[0], label.split("=")[1]);
    FleetPlan plan = new FleetPlan(STATE, "rev1");

    assertEquals(AssignmentBuilder.containersFor(STATE, "rev1", host, labels), plan.containersFor(host, labels));
  }
}
