package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of validation cases: each directory under {@code src/test/resources/desired/} is a
 * desired-state tree with {@code expected-errors.txt} (exact {@code file:line:col: message} lines,
 * none for a valid tree) and optionally {@code expected-warnings.txt}.
 */
class DesiredStateFixturesTest {
  static Path fixtures() throws URISyntaxException {
    return Path.of(DesiredStateFixturesTest.class.getResource("/desired").toURI());
  }

  static Stream<String> cases() throws IOException, URISyntaxException {
    try (Stream<Path> dirs = Files.list(fixtures())) {
      return dirs
          .filter(Files::isDirectory)
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void treeReportsExactlyTheExpectedErrors(String name) throws Exception {
    Path dir = fixtures().resolve(name);
    ReadResult result = new DesiredStateReader().readTree(dir);
    List<String> errors = result.errors().stream().map(ValidationError::toString).toList();
    assertEquals(expected(dir, "expected-errors.txt"), errors);
    assertEquals(errors.isEmpty(), result.valid());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void treeReportsExactlyTheExpectedWarnings(String name) throws Exception {
    Path dir = fixtures().resolve(name);
    ReadResult result = new DesiredStateReader().readTree(dir);
    assertEquals(expected(dir, "expected-warnings.txt"), result.warnings());
  }

  private static List<String> expected(Path dir, String file) throws IOException {
    Path path = dir.resolve(file);
    if (!Files.exists(path)) return List.of();
    return Files.readAllLines(path, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .toList();
  }
}
