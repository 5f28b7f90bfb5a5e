package ogp.reconciler.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import ogp.protocol.v1.ContainerSpec;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import org.junit.jupiter.api.Test;

class AssignmentBuilderTest {
  @Test
  void hostGetsOneSpecPerInstanceOfEveryPlacedRunningApp() {
    DesiredState state = DesiredState.of(List.of(
        TestApps.app("web", "42", AppState.RUNNING, new Placement.Hosts(List.of("a")), 2),
        TestApps.app("db", "15", AppState.STOPPED, new Placement.Selector(Map.of("role", "db")), 1),
        TestApps.app("old", "1", AppState.ABSENT, new Placement.Hosts(List.of("a")), 1),
        TestApps.onHosts("elsewhere", "1", "b")));
    List<ContainerSpec> specs = AssignmentBuilder.containersFor(state, "r1", "a", Map.of("role", "db"));
    assertEquals(List.of("db#0", "web#0", "web#1"), specs.stream().map(s -> s.getApp() + "#" + s.getInstance()).toList());
    assertEquals(ContainerSpec.RunState.STOPPED, specs.get(0).getState());
  }

  @Test
  void specHashIgnoresTheRevisionButNotTheVersion() {
    App web = TestApps.onHosts("web", "42", "a");
    assertEquals(AssignmentBuilder.spec(web, 0, "r1").getSpecHash(), AssignmentBuilder.spec(web, 0, "r2").getSpecHash());
    assertNotEquals(AssignmentBuilder.spec(web, 0, "r1").getSpecHash(),
        AssignmentBuilder.spec(TestApps.onHosts("web", "43", "a"), 0, "r1").getSpecHash());
  }
}
