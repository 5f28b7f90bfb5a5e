package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The YAML corpus under {@code corpus/yaml}: bombs, deep nesting, language tags, app names that try
 * to leave their container name, bad encodings. Each is refused with errors (no app), within a
 * second, without an exception.
 */
class HostileYamlTest {
  private final DesiredStateReader reader = new DesiredStateReader();

  static Stream<Path> corpus() throws IOException, URISyntaxException {
    return Files.list(Path.of(HostileYamlTest.class.getResource("/corpus/yaml").toURI())).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void corpusInputGivesErrorsAndNoApp(Path input) throws IOException {
    byte[] content = Files.readAllBytes(input);
    FileResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(2), () -> reader.readFile("apps/" + input.getFileName(), content));
    assertTrue(result.apps().isEmpty(), input + " gave apps " + result.apps());
    assertTrue(
        !result.errors().isEmpty() || content.length == 0 || isOnlyDocumentMarkers(content),
        input + " gave neither apps nor errors");
  }

  @Test
  void fileOverTheSizeLimitIsRefusedWithoutParsing() {
    byte[] content =
        ("name: web\nimage: x\nversion: \"1\"\n# " + "x".repeat(2 << 20) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    FileResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(2), () -> reader.readFile("apps/big.yaml", content));
    assertTrue(result.apps().isEmpty());
    assertFalse(result.errors().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"../x", "a/b", "x y", "-x", "x-", "ogp-x;rm", ".", "..", "X", "a_b", "a\\b"})
  void appNamesThatCouldEscapeTheirContainerNameAreRefused(String name) {
    String yaml =
        "app: \"" + name.replace("\\", "\\\\") + "\"\nimage: x\nversion: \"1\"\nhosts: [h1]\n";
    FileResult result = reader.readFile("apps/x.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertTrue(result.apps().isEmpty(), name + " was accepted");
    assertTrue(
        result.errors().stream().anyMatch(e -> e.toString().contains("app name")),
        result.errors().toString());
  }

  @Test
  void theSameDocumentWithASafeNameIsAnApp() {
    FileResult result =
        reader.readFile(
            "apps/x.yaml",
            "app: web-1\nimage: x\nversion: \"1\"\nhosts: [h1]\n".getBytes(StandardCharsets.UTF_8));
    assertTrue(result.errors().isEmpty(), result.errors().toString());
    assertTrue(result.apps().size() == 1);
  }

  private static boolean isOnlyDocumentMarkers(byte[] content) {
    return new String(content, StandardCharsets.UTF_8).replace("---", "").isBlank();
  }
}
