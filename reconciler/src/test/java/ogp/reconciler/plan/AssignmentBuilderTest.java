package ogp.reconciler.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ogp.reconciler.desired.App;
import org.junit.jupiter.api.Test;

class AssignmentBuilderTest {
  @Test
  void specHashIgnoresTheRevisionButNotTheVersion() {
    App web = TestApps.onHosts("web", "42", "a");
    assertEquals(
        AssignmentBuilder.spec(web, 0, "r1").getSpecHash(),
        AssignmentBuilder.spec(web, 0, "r2").getSpecHash());
    assertNotEquals(
        AssignmentBuilder.spec(web, 0, "r1").getSpecHash(),
        AssignmentBuilder.spec(TestApps.onHosts("web", "43", "a"), 0, "r1").getSpecHash());
  }
}
