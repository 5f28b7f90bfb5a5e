package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the reader builds from valid files, and how it survives hostile ones. */
class DesiredStateReaderTest {
  private final DesiredStateReader reader = new DesiredStateReader();

  private App onlyApp(String fixture) throws Exception {
    ReadResult result = reader.readTree(DesiredStateFixturesTest.fixtures().resolve(fixture));
    assertTrue(result.valid(), () -> result.errors().toString());
    assertEquals(1, result.state().apps().size());
    return result.state().apps().values().iterator().next();
  }

  private FileResult read(String yaml) {
    return reader.readFile("apps/x.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void versionIsReadAsLiteralText() throws Exception {
    assertEquals("1.10", onlyApp("valid-literal-scalars").version());
    assertEquals(
        "42", read("app: a\nimage: busybox\nversion: 42\nhosts: [h]\n").apps().get(0).version());
  }

  @Test
  void envAndSelectorValuesAreReadAsLiteralText() throws Exception {
    App app = onlyApp("valid-literal-scalars");
    assertEquals(Map.of("DEBUG", "no", "PORT", "8080", "RATIO", "0.50"), app.env());
    assertEquals(List.of("DEBUG", "PORT", "RATIO"), List.copyOf(app.env().keySet()));
    assertEquals(new Placement.Selector(Map.of("role", "api", "gpu", "true")), app.placement());
    assertEquals(List.of("sleep", "3600"), app.command());
    assertEquals(
        new HealthCheck.Exec(List.of("cat", "/tmp/ready")), app.health().orElseThrow().probe());
  }

  @Test
  void everyKeyOfAFullAppIsRead() throws Exception {
    App app = onlyApp("valid-full-app");
    assertEquals(
        new App(
            "web",
            "127.0.0.1:5000/demo/web",
            "42",
            AppState.STOPPED,
            new Placement.Hosts(List.of("host-a", "host-b")),
            2,
            List.of("httpd", "-f", "-p", "8080"),
            List.of("/bin/sh", "-c"),
            Map.of("GREETING", "hello", "EMPTY", ""),
            List.of(new PortMapping(8080, 8080, "tcp"), new PortMapping(53, 53, "udp")),
            List.of(
                new VolumeMount("/srv/web", "/data", true),
                new VolumeMount("/srv/cache", "/cache", false)),
            RestartPolicy.ON_FAILURE,
            Optional.of(
                new HealthCheck(
                    new HealthCheck.Http(8080, "/healthz"),
                    Duration.ofSeconds(5),
                    Duration.ofMillis(500),
                    5,
                    Duration.ofSeconds(90))),
            new UpdatePolicy(1, Duration.ofMinutes(2), true),
            new SourcePosition("apps/web.yaml", 2, 1)),
        app);
    assertEquals("127.0.0.1:5000/demo/web:42", app.imageRef());
  }

  @Test
  void omittedKeysGetTheirDefaults() throws Exception {
    App app = onlyApp("valid-minimal-app-gets-defaults");
    assertEquals(AppState.RUNNING, app.state());
    assertEquals(1, app.instances());
    assertEquals(RestartPolicy.UNLESS_STOPPED, app.restart());
    assertEquals(Optional.empty(), app.health());
    assertEquals(UpdatePolicy.DEFAULT, app.update());
    assertEquals(List.of(), app.command());
    assertEquals(Map.of(), app.env());
  }

  @Test
  void healthTimingsDefaultToTenSecondsTwoSecondsThreeRetriesNoStartPeriod() {
    HealthCheck health =
        read("app: a\nimage: busybox\nversion: '1'\nhosts: [h]\nhealth: {tcp: 80}\n")
            .apps()
            .get(0)
            .health()
            .orElseThrow();
    assertEquals(
        new HealthCheck(
            new HealthCheck.Tcp(80),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            3,
            Duration.ZERO),
        health);
  }

  @Test
  void everyDocumentOfAFileIsOneAppInFileOrder() {
    FileResult file =
        read(
            "app: b\nimage: busybox\nversion: '1'\nhosts: [h]\n---\n---\n"
                + "app: a\nimage: busybox\nversion: '1'\nhosts: [h]\n");
    assertEquals(List.of("b", "a"), file.apps().stream().map(App::name).toList());
    assertEquals(new SourcePosition("apps/x.yaml", 7, 1), file.apps().get(1).source());
  }

  @Test
  void aTreeWithErrorsHasNoState() throws Exception {
    ReadResult result = reader.readTree(DesiredStateFixturesTest.fixtures().resolve("ports"));
    assertFalse(result.valid());
    assertNull(result.state());
  }

  @Test
  void duplicateAppNamesWithinOneFileAreFoundByCombine() {
    FileResult file =
        read(
            "app: a\nimage: busybox\nversion: '1'\nhosts: [h]\n---\n"
                + "app: a\nimage: busybox\nversion: '2'\nhosts: [h]\n");
    assertTrue(file.errors().isEmpty());
    assertEquals(
        List.of(
            "apps/x.yaml:6:1: app: \"a\" is already defined at apps/x.yaml:1"
                + " (app names must be unique in the repository)"),
        DesiredStateReader.combine(List.of(file)).errors().stream().map(Object::toString).toList());
  }

  @Test
  void aFileOverTheSizeLimitIsOneErrorAndNotParsed() {
    byte[] big = ("# " + "x".repeat(1 << 20) + "\n").getBytes(StandardCharsets.UTF_8);
    FileResult file = reader.readFile("apps/big.yaml", big);
    assertEquals(
        List.of(
            "apps/big.yaml:1:1: file is 1048579 bytes, more than the limit of" + " 1048576 bytes"),
        file.errors().stream().map(Object::toString).toList());
  }

  @Test
  void invalidUtf8IsOneError() {
    FileResult file =
        reader.readFile("apps/bin.yaml", new byte[] {'a', ':', ' ', (byte) 0xC3, 0x28});
    assertEquals(
        List.of("apps/bin.yaml:1:1: file is not valid UTF-8"),
        file.errors().stream().map(Object::toString).toList());
  }

  @Test
  void recursiveAliasesAreRefusedWithoutHanging() {
    FileResult file = read("app: &a [*a]\nimage: busybox\nversion: '1'\nhosts: [h]\n");
    assertEquals(1, file.errors().size(), file.errors()::toString);
    assertTrue(file.apps().isEmpty());
  }

  @Test
  void badContentNeverThrowsAndEveryErrorIsOneLine() {
    List<String> hostile =
        List.of(
            "{",
            "]",
            "- - - -",
            "app: *nope",
            "? [a]\n: b",
            "!!binary aGk=",
            "%YAML 1.3\n---\na: 1",
            "app: \"\\x\"",
            "\u0000",
            "a: b\n a: c",
            "[" + "{".repeat(5000));
    for (String yaml : hostile) {
      FileResult file = read(yaml);
      assertFalse(file.errors().isEmpty(), yaml);
      file.errors().forEach(e -> assertFalse(e.message().contains("\n"), e::message));
    }
  }

  @Test
  void readTreeSkipsHiddenDirectoriesAndNonYamlFilesAndNamesFilesWithSlashes(@TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("team/web"));
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve("team/web/app.yml"), "app: web\nimage: busybox\nversion: x\n");
    Files.writeString(dir.resolve(".git/config.yaml"), "not: an app\n");
    Files.writeString(dir.resolve("README.md"), "# apps\n");
    ReadResult result = reader.readTree(dir);
    assertEquals(
        List.of(
            "team/web/app.yml:1:1: hosts: the app has no placement (expected exactly"
                + " one of hosts: [host-id, ...] or selector: {label: value})"),
        result.errors().stream().map(Object::toString).toList());
  }
}
