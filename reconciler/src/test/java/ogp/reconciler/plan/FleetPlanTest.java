package ogp.reconciler.plan;

import static ogp.reconciler.plan.TestApps.app;
import static ogp.reconciler.plan.TestApps.onHosts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import ogp.protocol.v1.ContainerSpec;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.SourcePosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shared plan gives each host exactly what a plain scan of every app gives, in the same order.
 */
class FleetPlanTest {
  private static final DesiredState STATE =
      DesiredState.of(
          List.of(
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
    Map<String, String> labels =
        label.isEmpty() ? Map.of() : Map.of(label.split("=")[0], label.split("=")[1]);
    FleetPlan plan = new FleetPlan(STATE, "rev1");

    assertEquals(scan(STATE, "rev1", host, labels), plan.containersFor(host, labels));
  }

  @Test
  void hostGetsOneSpecPerInstanceOfEveryPlacedRunningApp() {
    DesiredState state =
        DesiredState.of(
            List.of(
                app("web", "42", AppState.RUNNING, new Placement.Hosts(List.of("a")), 2),
                app("db", "15", AppState.STOPPED, new Placement.Selector(Map.of("role", "db")), 1),
                app("old", "1", AppState.ABSENT, new Placement.Hosts(List.of("a")), 1),
                onHosts("elsewhere", "1", "b")));
    List<ContainerSpec> specs = new FleetPlan(state, "r1").containersFor("a", Map.of("role", "db"));
    assertEquals(
        List.of("db#0", "web#0", "web#1"),
        specs.stream().map(s -> s.getApp() + "#" + s.getInstance()).toList());
    assertEquals(ContainerSpec.RunState.STOPPED, specs.get(0).getState());
  }

  @Test
  void appUnchangedByACommitKeepsItsSpecsRevisionAndHash() {
    FleetPlan first = FleetPlan.EMPTY.next(STATE, app -> "r1");
    DesiredState changed =
        DesiredState.of(
            List.of(
                onHosts("api", "3", "h1", "h2"), // a new version: changed at r2
                onHosts("db", "15", "h2"),
                onHosts("zeta", "9", "h3")));
    FleetPlan second = first.next(changed, app -> app.equals("api") ? "r2" : "r1");

    assertSame(
        first.specsOf("db").get(0),
        second.specsOf("db").get(0),
        "db's spec is reused, not rebuilt");
    assertEquals("r1", second.specsOf("db").get(0).getRevision());
    assertEquals("r2", second.specsOf("api").get(0).getRevision());
    assertNotEquals(
        first.specsOf("api").get(0).getSpecHash(), second.specsOf("api").get(0).getSpecHash());
    assertEquals(List.of(), second.specsOf("cache"), "a removed app has no specs");
    assertEquals(
        scan(changed, Map.of("api", "r2"), "h2", Map.of()), second.containersFor("h2", Map.of()));
  }

  @Test
  void appMovedWithinItsFileIsTheSameApp() {
    App db = onHosts("db", "15", "h2");
    App moved = db.withSource(new SourcePosition("apps/all.yaml", 40, 1));
    FleetPlan first = FleetPlan.EMPTY.next(DesiredState.of(List.of(db)), app -> "r1");
    FleetPlan second = first.next(DesiredState.of(List.of(moved)), app -> "r1");
    assertSame(first, second, "nothing to rebuild");
  }

  @Test
  void aFirstPlanOfThousandsOfAppsBuiltOnAllCoresGivesEveryHostWhatAPlainScanGives() {
    List<App> apps = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      apps.add(
          i % 10 == 0
              ? app(
                  "sel-" + i,
                  "1",
                  AppState.RUNNING,
                  new Placement.Selector(Map.of("role", "web")),
                  1)
              : onHosts("app-" + i, String.valueOf(i), "h" + i % 7, "h" + (i + 3) % 7));
    }
    DesiredState state = DesiredState.of(apps);
    FleetPlan plan = new FleetPlan(state, "r1");

    for (int h = 0; h < 8; h++) {
      for (Map<String, String> labels : List.of(Map.<String, String>of(), Map.of("role", "web"))) {
        assertEquals(
            scan(state, "r1", "h" + h, labels),
            plan.containersFor("h" + h, labels),
            "h" + h + " " + labels);
      }
    }
    assertEquals(
        List.of(AssignmentBuilder.spec(state.apps().get("app-1999"), 0, "r1")),
        plan.specsOf("app-1999"));
  }

  /** A plan derived through any chain of commits equals the plan built from scratch. */
  @Property(tries = 200)
  void planDerivedFromThePreviousOneEqualsAPlanBuiltFromScratch(
      @ForAll("histories") List<DesiredState> history) {
    FleetPlan derived = FleetPlan.EMPTY;
    Map<String, String> revisions = new HashMap<>();
    DesiredState before = DesiredState.EMPTY;
    for (int r = 0; r < history.size(); r++) {
      DesiredState state = history.get(r);
      for (App app : state.apps().values()) {
        App old = before.apps().get(app.name());
        if (old == null || !old.sameConfigurationAs(app)) revisions.put(app.name(), "r" + r);
      }
      before = state;
      derived = derived.next(state, revisions::get);
      FleetPlan scratch = FleetPlan.EMPTY.next(state, revisions::get);
      for (String host : List.of("h0", "h1", "h2", "h3")) {
        for (Map<String, String> labels :
            List.of(Map.<String, String>of(), Map.of("role", "web"), Map.of("role", "db"))) {
          assertEquals(scratch.containersFor(host, labels), derived.containersFor(host, labels));
          assertEquals(scan(state, revisions, host, labels), derived.containersFor(host, labels));
        }
      }
    }
  }

  @Provide
  Arbitrary<List<DesiredState>> histories() {
    Arbitrary<Placement> placement =
        Arbitraries.oneOf(
            Arbitraries.of("h0", "h1", "h2", "h3")
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(Placement.Hosts::new),
            Arbitraries.of("web", "db").map(role -> new Placement.Selector(Map.of("role", role))));
    Arbitrary<App> app =
        Combinators.combine(
                Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "h"),
                Arbitraries.of("1", "2"),
                Arbitraries.of(AppState.values()),
                placement,
                Arbitraries.integers().between(1, 2))
            .as(TestApps::app);
    Arbitrary<DesiredState> state = app.list().ofMaxSize(10).map(DesiredState::of);
    return state.list().ofMinSize(1).ofMaxSize(6);
  }

  private static List<ContainerSpec> scan(
      DesiredState state,
      Map<String, String> revisions,
      String hostId,
      Map<String, String> labels) {
    List<ContainerSpec> specs = new ArrayList<>();
    for (App app : state.apps().values()) {
      if (app.state() == AppState.ABSENT || !app.placement().selects(hostId, labels)) continue;
      String revision = revisions.getOrDefault(app.name(), "r1");
      for (int instance = 0; instance < app.instances(); instance++)
        specs.add(AssignmentBuilder.spec(app, instance, revision));
    }
    return specs;
  }

  /**
   * The reference the plan is checked against: every app, in name order, if it runs and selects the
   * host.
   */
  private static List<ContainerSpec> scan(
      DesiredState state, String revision, String hostId, Map<String, String> labels) {
    List<ContainerSpec> specs = new ArrayList<>();
    for (App app : state.apps().values()) {
      if (app.state() == AppState.ABSENT || !app.placement().selects(hostId, labels)) continue;
      for (int instance = 0; instance < app.instances(); instance++)
        specs.add(AssignmentBuilder.spec(app, instance, revision));
    }
    return specs;
  }
}
