package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ogp watch} against a running server. */
class WatchCommandTest {
  @TempDir Path tmp;
  private TestRepo repo;
  private ServerProcess server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit("Place web 1", Map.of("apps/web.yaml", TestApps.web("1")));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(repo.url(), "main", ""),
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
    // The watch's objects are recomputed on their own thread after the revision is applied: wait
    // for them.
    await("the server applies the revision")
        .atMost(Duration.ofSeconds(20))
        .until(() -> server.watchHub().count(ogp.reconciler.watch.WatchKind.App) > 0);
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (repo != null) repo.close();
  }

  private int watch(String... args) {
    WatchCommand command =
        new WatchCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] all = new String[args.length + 4];
    all[0] = "--server";
    all[1] = "http://127.0.0.1:" + server.httpPort();
    all[2] = "--token";
    all[3] = server.adminToken().reveal();
    System.arraycopy(args, 0, all, 4, args.length);
    return new CommandLine(command).execute(all);
  }

  @Test
  void aGoneResourceVersionIsReportedAndTheStateListedAgain() {
    assertEquals(0, watch("--since", "1", "--exit-after", "2"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("no longer retained"),
        err.toString(StandardCharsets.UTF_8));
    assertTrue(
        printed
            .lines()
            .anyMatch(l -> l.contains("ADDED") && l.contains("App") && l.contains("web")),
        printed);
  }

  @Test
  void jsonOutputPrintsTheStreamLinesAsTheyCame() {
    assertEquals(0, watch("--output", "json", "--exit-after", "3"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.lines().allMatch(l -> l.startsWith("{\"type\":")), printed);
    assertTrue(printed.contains("\"initialEventsEnd\":true"), printed);
  }
}
