package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of byte-minimal edits: each directory under {@code changes/} holds {@code before.yaml}, the
 * edit ({@code edit.properties}: app, edit = version|state|hosts, value) and the exact {@code
 * after.yaml} expected, byte for byte.
 */
class YamlEditFixturesTest {

  static Stream<String> cases() throws IOException, URISyntaxException {
    Path root = Path.of(YamlEditFixturesTest.class.getResource("/changes").toURI());
    try (Stream<Path> dirs = Files.list(root)) {
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
  void editChangesOnlyTheBytesOfTheValue(String name) throws Exception {
    Path dir = Path.of(getClass().getResource("/changes/" + name).toURI());
    Properties edit = new Properties();
    try (Reader reader = Files.newBufferedReader(dir.resolve("edit.properties"))) {
      edit.load(reader);
    }
    byte[] before = Files.readAllBytes(dir.resolve("before.yaml"));
    byte[] expected = Files.readAllBytes(dir.resolve("after.yaml"));
    byte[] actual =
        YamlEdit.apply("apps/" + name + ".yaml", before, edit.getProperty("app"), edit(edit));
    assertEquals(
        new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
    assertTrue(Arrays.equals(expected, actual), "byte-identical to after.yaml");
  }

  @Test
  void hostsOfAnAppPlacedBySelectorAreRefusedWithAClearMessage() {
    byte[] yaml =
        "app: web\nimage: reg/web\nversion: \"1\"\nselector: {role: web}\n"
            .getBytes(StandardCharsets.UTF_8);
    ChangeRefused refused =
        assertThrows(
            ChangeRefused.class,
            () -> YamlEdit.apply("apps/web.yaml", yaml, "web", new Edit.SetHosts(List.of("a"))));
    assertEquals(
        "App web is placed by selector, not by a hosts list; change its selector in Git instead.",
        refused.getMessage());
  }

  @Test
  void aDocumentOfAnotherAppIsNotEdited() {
    byte[] yaml =
        "app: web\nimage: reg/web\nversion: \"1\"\nhosts: [a]\n".getBytes(StandardCharsets.UTF_8);
    assertThrows(
        UnknownApp.class,
        () -> YamlEdit.apply("apps/web.yaml", yaml, "api", new Edit.SetVersion("2")));
  }

  @Test
  void aVersionSharedThroughAnAliasOrAnchorIsRefusedRatherThanGuessed() {
    byte[] anchored =
        "app: web\nimage: reg/web\nversion: &w \"1\"\nenv: {V: *w}\nhosts: [a]\n"
            .getBytes(StandardCharsets.UTF_8);
    byte[] aliased =
        "app: web\nimage: &v reg/web\nversion: *v\nhosts: [a]\n".getBytes(StandardCharsets.UTF_8);
    assertThrows(
        ChangeRefused.class,
        () -> YamlEdit.apply("a.yaml", aliased, "web", new Edit.SetVersion("2")));
    assertThrows(
        ChangeRefused.class,
        () -> YamlEdit.apply("a.yaml", anchored, "web", new Edit.SetVersion("2")));
  }

  private static Edit edit(Properties p) {
    String value = p.getProperty("value");
    return switch (p.getProperty("edit")) {
      case "version" -> new Edit.SetVersion(value);
      case "state" -> new Edit.SetState(value);
      case "hosts" -> new Edit.SetHosts(List.of(value.split(",")));
      default -> throw new IllegalArgumentException("unknown edit " + p.getProperty("edit"));
    };
  }
}
