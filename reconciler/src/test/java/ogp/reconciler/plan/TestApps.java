package ogp.reconciler.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.RestartPolicy;
import ogp.reconciler.desired.SourcePosition;
import ogp.reconciler.desired.UpdatePolicy;

/** Small apps for planner tables; only what a case varies is a parameter. */
final class TestApps {
  private TestApps() {}

  static App app(String name, String version, AppState state, Placement placement, int instances) {
    return new App(
        name,
        "busybox",
        version,
        state,
        placement,
        instances,
        List.of(),
        List.of(),
        Map.of(),
        List.of(),
        List.of(),
        RestartPolicy.UNLESS_STOPPED,
        Optional.empty(),
        UpdatePolicy.DEFAULT,
        new SourcePosition("apps/" + name + ".yaml", 1, 1));
  }

  static App onHosts(String name, String version, String... hosts) {
    return app(name, version, AppState.RUNNING, new Placement.Hosts(List.of(hosts)), 1);
  }
}
