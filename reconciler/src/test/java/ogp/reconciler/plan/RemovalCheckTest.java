package ogp.reconciler.plan;

import static ogp.reconciler.plan.TestApps.app;
import static ogp.reconciler.plan.TestApps.onHosts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.Policy;
import org.junit.jupiter.api.Test;

/** Which revisions would remove so many containers that they wait for an admin. */
class RemovalCheckTest {
  private static final Map<String, Map<String, String>> HOSTS =
      Map.of("h1", Map.of("role", "web"), "h2", Map.of("role", "web"), "h3", Map.of());

  /** web ×2 on h1 and h2 by selector (4), api on h1, h2, h3 (3), db on h3 (1): 8 containers. */
  private static final DesiredState FLEET =
      DesiredState.of(
          List.of(
              app("web", "1", AppState.RUNNING, new Placement.Selector(Map.of("role", "web")), 2),
              onHosts("api", "1", "h1", "h2", "h3"),
              onHosts("db", "1", "h3")));

  private static RemovalCheck check(DesiredState next) {
    return RemovalCheck.of(FLEET, next, HOSTS);
  }

  private static DesiredState without(String... names) {
    List<App> apps = new ArrayList<>(FLEET.apps().values());
    apps.removeIf(a -> List.of(names).contains(a.name()));
    return DesiredState.of(apps);
  }

  @Test
  void aRevisionWithoutAppsIsHeldAndCountsEveryContainer() {
    RemovalCheck check = check(DesiredState.EMPTY);

    assertTrue(check.held());
    assertEquals(8, check.removes());
    assertEquals(8, check.of());
    assertEquals("would remove 8 of 8 containers (threshold 50%)", check.reason());
  }

  @Test
  void removingHalfIsNotHeldAndMoreThanHalfIs() {
    assertFalse(check(without("web")).held(), "4 of 8 is not more than 50%");
    assertTrue(check(without("web", "db")).held(), "5 of 8 is");
  }

  @Test
  void absentFewerInstancesAndHostsOutOfPlacementCount() {
    DesiredState next =
        DesiredState.of(
            List.of(
                app("web", "1", AppState.RUNNING, new Placement.Selector(Map.of("role", "web")), 1),
                onHosts("api", "1", "h1"),
                app("db", "1", AppState.ABSENT, new Placement.Hosts(List.of("h3")), 1)));

    RemovalCheck check = check(next);

    assertEquals(2 + 2 + 1, check.removes()); // one instance per web host, api on h2 and h3, db
    assertTrue(check.held());
  }

  @Test
  void newVersionsAndStoppedAppsRemoveNothing() {
    DesiredState next =
        DesiredState.of(
            List.of(
                app("web", "2", AppState.STOPPED, new Placement.Selector(Map.of("role", "web")), 2),
                onHosts("api", "2", "h1", "h2", "h3"),
                onHosts("db", "2", "h3")));

    assertEquals(0, check(next).removes());
    assertFalse(check(next).held());
  }

  @Test
  void theNewRevisionsOwnPolicyDecides() {
    assertFalse(check(DesiredState.EMPTY.withPolicy(new Policy(Policy.MassRemoval.OFF))).held());
    assertTrue(
        check(without("web").withPolicy(new Policy(Policy.MassRemoval.percent(40)))).held(),
        "4 of 8 is more than 40%");
    assertTrue(
        check(without("db", "api").withPolicy(new Policy(Policy.MassRemoval.percent(0)))).held());
  }

  @Test
  void removingASingleContainerIsNeverAMassRemoval() {
    DesiredState one = DesiredState.of(List.of(onHosts("web", "1", "local")));

    RemovalCheck check = RemovalCheck.of(one, DesiredState.EMPTY, Map.of());

    assertEquals(1, check.removes());
    assertFalse(check.held(), "a one-app setup removes its one app on purpose");
  }

  @Test
  void aRenamedAppRemovesTheOldNamesContainers() {
    List<App> apps = new ArrayList<>(without("web").apps().values());
    apps.add(
        app("frontend", "1", AppState.RUNNING, new Placement.Selector(Map.of("role", "web")), 2));

    assertEquals(4, check(DesiredState.of(apps)).removes());
  }

  @Test
  void hugeFleetsAreCountedWithoutOverflow() {
    DesiredState big =
        DesiredState.of(
            List.of(
                app(
                    "web",
                    "1",
                    AppState.RUNNING,
                    new Placement.Hosts(List.of("a", "b", "c")),
                    Integer.MAX_VALUE)));

    RemovalCheck check = RemovalCheck.of(big, DesiredState.EMPTY, Map.of());

    assertEquals(3L * Integer.MAX_VALUE, check.removes());
    assertTrue(check.held());
  }
}
