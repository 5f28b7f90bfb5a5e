package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of diff cases: each directory under {@code src/test/resources/diff/} holds a {@code from}
 * and a {@code to} tree (a missing side is empty) and {@code expected.txt}, the plain rendering.
 */
class DesiredStateDiffTest {
  private static Path fixtures() throws Exception {
    return Path.of(DesiredStateDiffTest.class.getResource("/diff").toURI());
  }

  static Stream<String> cases() throws Exception {
    try (Stream<Path> dirs = Files.list(fixtures())) {
      return dirs.map(d -> d.getFileName().toString()).sorted().toList().stream();
    }
  }

  private static DesiredState state(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) return DesiredState.EMPTY;
    ReadResult result = new DesiredStateReader().readTree(dir);
    assertTrue(result.valid(), () -> result.errors().toString());
    return result.state();
  }

  private static List<DesiredStateDiff.Change> diff(String name) throws Exception {
    Path dir = fixtures().resolve(name);
    return DesiredStateDiff.between(state(dir.resolve("from")), state(dir.resolve("to")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void diffRendersTheExpectedLines(String name) throws Exception {
    String expected = Files.readString(fixtures().resolve(name).resolve("expected.txt"));
    assertEquals(expected, DesiredStateDiff.render(diff(name), false));
  }

  @Test
  void changesCarryVersionsAndChangedFields() throws Exception {
    assertEquals(
        List.of(
            new DesiredStateDiff.Change(
                DesiredStateDiff.Change.Kind.CHANGED, "web", "host-a", "41", "42", "env, restart")),
        diff("changed-version-and-env"));
    assertEquals(
        List.of(
            new DesiredStateDiff.Change(
                DesiredStateDiff.Change.Kind.REMOVED, "web", "host-a", "42", null, ""),
            new DesiredStateDiff.Change(
                DesiredStateDiff.Change.Kind.ADDED, "web", "host-c", null, "42", "")),
        diff("moved-between-hosts"));
  }

  @Test
  void markdownRenderingIsAHeadingAndAFencedDiffBlock() throws Exception {
    assertEquals(
        """
        ### ogp diff: 3 changes (1 added, 1 removed, 1 changed)

        ```diff
        - api on host-a
        + api 3 on hosts matching role=api
        ~ web 41 -> 42 on hosts matching role=web,zone=eu
        ```
        """,
        DesiredStateDiff.render(diff("selector-placements"), true));
  }

  @Test
  void markdownRenderingOfNoChangesSaysSo() {
    assertEquals(
        "### ogp diff: no changes\n\nno changes\n", DesiredStateDiff.render(List.of(), true));
  }

  @Test
  void aDiffOfAStateWithItselfIsEmpty() throws Exception {
    DesiredState state = state(fixtures().resolve("selector-placements").resolve("to"));
    assertEquals(List.of(), DesiredStateDiff.between(state, state));
  }
}
