package ogp.agent.converge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import ogp.agent.runtime.ManagedContainer;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table of desired × observed × present images → the plan, written as short action strings. */
class LocalPlannerTest {
  private static final ContainerSpec WEB_V1 = spec("web", 0, "1", ContainerSpec.RunState.RUNNING);
  private static final ContainerSpec WEB_V2 = spec("web", 0, "2", ContainerSpec.RunState.RUNNING);
  private static final ContainerSpec WEB_V1_STOPPED =
      spec("web", 0, "1", ContainerSpec.RunState.STOPPED);
  private static final ContainerSpec API_V1 = spec("api", 0, "1", ContainerSpec.RunState.RUNNING);
  private static final Set<String> V1_ONLY = Set.of("reg/web:1", "reg/api:1");
  private static final Set<String> ALL = Set.of("reg/web:1", "reg/web:2", "reg/api:1");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("nothing desired, nothing there", List.of(), List.of(), ALL, List.of()),
        Arguments.of(
            "new container, image present",
            List.of(WEB_V1),
            List.of(),
            V1_ONLY,
            List.of("create web/0")),
        Arguments.of(
            "new container, image missing: pull first",
            List.of(WEB_V1),
            List.of(),
            Set.of(),
            List.of("pull web/0 reg/web:1", "create web/0")),
        Arguments.of(
            "same hash, running: adopted, nothing to do",
            List.of(WEB_V1),
            List.of(container("a", WEB_V1, "running")),
            V1_ONLY,
            List.of()),
        Arguments.of(
            "same hash, exited: started again",
            List.of(WEB_V1),
            List.of(container("a", WEB_V1, "exited")),
            V1_ONLY,
            List.of("start web/0 a")),
        Arguments.of(
            "same hash, restarting: Docker handles it",
            List.of(WEB_V1),
            List.of(container("a", WEB_V1, "restarting")),
            V1_ONLY,
            List.of()),
        Arguments.of(
            "spec says stopped, container runs: stop",
            List.of(WEB_V1_STOPPED),
            List.of(container("a", WEB_V1_STOPPED, "running")),
            V1_ONLY,
            List.of("stop web/0 a")),
        Arguments.of(
            "spec says stopped, container stopped: nothing",
            List.of(WEB_V1_STOPPED),
            List.of(container("a", WEB_V1_STOPPED, "exited")),
            V1_ONLY,
            List.of()),
        Arguments.of(
            "version change, image missing: pull, then replace",
            List.of(WEB_V2),
            List.of(container("a", WEB_V1, "running")),
            V1_ONLY,
            List.of("pull web/0 reg/web:2", "stop web/0 a", "remove web/0 a", "create web/0")),
        Arguments.of(
            "version change, image present: replace",
            List.of(WEB_V2),
            List.of(container("a", WEB_V1, "running")),
            ALL,
            List.of("stop web/0 a", "remove web/0 a", "create web/0")),
        Arguments.of(
            "dead container with the right hash is replaced",
            List.of(WEB_V1),
            List.of(container("a", WEB_V1, "dead")),
            V1_ONLY,
            List.of("remove web/0 a", "create web/0")),
        Arguments.of(
            "no longer desired: stopped and removed, first",
            List.of(API_V1),
            List.of(container("a", WEB_V1, "running")),
            ALL,
            List.of("stop web/0 a", "remove web/0 a", "create api/0")),
        Arguments.of(
            "duplicates: the running one with the right hash stays",
            List.of(WEB_V1),
            List.of(
                container("b", WEB_V1, "exited"),
                container("a", WEB_V1, "running"),
                container("c", WEB_V2, "running")),
            ALL,
            List.of("stop web/0 c", "remove web/0 c", "remove web/0 b")),
        Arguments.of(
            "instances are separate keys",
            List.of(WEB_V1, spec("web", 1, "1", ContainerSpec.RunState.RUNNING)),
            List.of(container("a", WEB_V1, "running")),
            V1_ONLY,
            List.of("create web/1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plansTheActionsOfTheTable(
      String name,
      List<ContainerSpec> desired,
      List<ManagedContainer> observed,
      Set<String> images,
      List<String> expected) {
    assertEquals(
        expected,
        LocalPlanner.plan(desired, observed, images).stream()
            .map(LocalPlannerTest::describe)
            .toList());
  }

  @Test
  void specWithoutHashIsComparedByItsComputedHash() {
    ContainerSpec unhashed = WEB_V1.toBuilder().clearSpecHash().build();
    assertEquals(
        List.of(),
        LocalPlanner.plan(List.of(unhashed), List.of(container("a", WEB_V1, "running")), V1_ONLY));
  }

  @Test
  void assignmentListingAKeyTwiceIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LocalPlanner.plan(List.of(WEB_V1, WEB_V2), List.of(), ALL));
  }

  private static String describe(Action action) {
    if (action instanceof Action.PullImage pull) {
      return "pull " + pull.key() + " " + pull.image();
    } else if (action instanceof Action.CreateContainer) {
      return "create " + action.key();
    } else if (action instanceof Action.StartContainer start) {
      return "start " + start.key() + " " + start.containerId();
    } else if (action instanceof Action.StopContainer stop) {
      return "stop " + stop.key() + " " + stop.containerId();
    } else {
      return "remove " + action.key() + " " + ((Action.RemoveContainer) action).containerId();
    }
  }

  static ContainerSpec spec(
      String app, int instance, String version, ContainerSpec.RunState state) {
    return SpecHash.withHash(
        ContainerSpec.newBuilder()
            .setApp(app)
            .setInstance(instance)
            .setImage("reg/" + app)
            .setVersion(version)
            .setState(state)
            .setRevision("rev-" + version)
            .build());
  }

  static ManagedContainer container(String id, ContainerSpec spec, String state) {
    return new ManagedContainer(
        id,
        "ogp-" + spec.getApp() + "-" + spec.getInstance(),
        spec.getApp(),
        spec.getInstance(),
        spec.getImage() + ":" + spec.getVersion(),
        spec.getVersion(),
        spec.getRevision(),
        spec.getSpecHash(),
        state,
        0,
        0,
        Instant.EPOCH,
        "172.17.0.9");
  }
}
