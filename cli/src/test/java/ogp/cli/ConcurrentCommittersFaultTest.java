package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 20 committers for 60 s against one branch served by {@code git daemon}: 10 through POST /api/v1/apps/{app}/deploy and 10
 * through {@code ogp set-image}, each deploying its own app with increasing versions. No
 * acknowledged update may be lost, and the reconciler must end at the branch head. The agent is
 * a bare {@link AgentLink} (no Docker): this is about commits, not containers.
 */
class ConcurrentCommittersFaultTest {
  private static final int COMMITTERS_PER_PATH = 10;
  private static final Duration RUN = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private ServerProcess server;
  private AgentLink agent;
  private final AtomicReference<Assignment> lastAssignment = new AtomicReference<>();

  private Process gitDaemon;

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (gitDaemon != null) {
      // `git daemon` runs git-core's git-daemon as its child: kill that, or it outlives the test; the
      // `git` parent then reaps it and exits by itself.
      gitDaemon.descendants().forEach(ProcessHandle::destroyForcibly);
      if (!gitDaemon.waitFor(10, TimeUnit.SECONDS)) gitDaemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Serves the bare repositories under {@code dir} with {@code git daemon} (push enabled), a Git
   * server in its own process as in production; returns the URL of fleet.git. Served by JGit in
   * this JVM instead, readers can see a new pack before its index and fail the fetch.
   */
  private String startGitDaemon(Path dir) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    gitDaemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
        "--listen=127.0.0.1", "--port=" + port, "--base-path=" + dir, dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("git-daemon.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Socket probe = new Socket("127.0.0.1", port)) {
        break;
      } catch (IOException notYet) {
        assertTrue(System.nanoTime() < deadline && gitDaemon.isAlive(), "git daemon listens on " + port);
        Thread.sleep(50); // a polling step
      }
    }
    return "git://127.0.0.1:" + port + "/fleet.git";
  }

  @Test
  void twentyCommittersForSixtySecondsLoseNoUpdateAndTheReconcilerEndsAtTheHead() throws Exception {
    Path bare = tmp.resolve("fleet.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    String url = startGitDaemon(tmp);
    Map<String, String> files = new HashMap<>();
    List<String> apps = new ArrayList<>();
    for (int i = 0; i < 2 * COMMITTERS_PER_PATH; i++) {
      String app = (i < COMMITTERS_PER_PATH ? "api-" : "cli-") + i;
      apps.add(app);
      files.put("apps/" + app + ".yaml", "app: %s\nimage: busybox\nversion: \"0\"\nhosts: [h]\n".formatted(app));
    }
    try (TestRepo work = TestRepo.create(tmp.resolve("work"))) {
      work.commit("Twenty apps", files);
      work.pushTo(url, "", "", false);
    }
    server = new ServerProcess(new ServerProcess.Settings(new GitRemote(url, "main", "", GitCredentials.fromEnvironment(Map.of())),
        tmp.resolve("server"), Duration.ofMillis(500), "127.0.0.1", 0, 0, Duration.ofSeconds(15), null));
    FaultTest.Api api = FaultTest.Api.of(server);
    agent = AgentLink.builder("127.0.0.1", server.agentPort(), new AgentIdentity("h", Map.of(), "test", "none"), lastAssignment::set)
        .joinToken(server.joinToken().reveal())
        .start();

    Map<String, Integer> lastAcknowledged = new ConcurrentHashMap<>();
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicLong slowest = new AtomicLong();
    AtomicInteger byApi = new AtomicInteger();
    AtomicInteger byCli = new AtomicInteger();
    long end = System.nanoTime() + RUN.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(apps.size());
    List<Future<?>> committers = new ArrayList<>();
    for (String app : apps) {
      committers.add(pool.submit(() -> {
        for (int version = 1; System.nanoTime() < end; version++) {
          long started = System.nanoTime();
          boolean ok = app.startsWith("api-") ? deployByApi(api, app, version) : setImage(url, app, version);
          slowest.accumulateAndGet(FaultTest.msSince(started), Math::max);
          if (ok) {
            lastAcknowledged.put(app, version);
            acknowledged.incrementAndGet();
            (app.startsWith("api-") ? byApi : byCli).incrementAndGet();
          } else {
            refused.incrementAndGet(); // reported as failed to the committer, so not expected in the tree
          }
        }
        return null;
      }));
    }
    for (Future<?> committer : committers) committer.get(RUN.toSeconds() + 240, TimeUnit.SECONDS);
    pool.shutdown();

    // Read with the git CLI straight from the repository the daemon serves: what is on disk.
    String head = git(bare, "rev-parse", "main");
    assertEquals(acknowledged.get() + 1, Integer.parseInt(git(bare, "rev-list", "--count", "main")),
        "one commit per acknowledged change, on top of the first");
    for (String app : apps) {
      assertTrue(lastAcknowledged.containsKey(app), app + " got at least one change in");
      String yaml = git(bare, "show", "main:apps/" + app + ".yaml");
      assertTrue(yaml.contains("version: \"" + lastAcknowledged.get(app) + "\""), app + " ends at its last version: " + yaml);
    }
    long settleStart = System.nanoTime();
    api.refresh();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!(head.equals(api.get("/api/v1/revision").path("revision").asText())
        && lastAssignment.get() != null && head.equals(lastAssignment.get().getRevision()))) {
      assertTrue(System.nanoTime() < deadline, "the reconciler and the agent end at the head " + head + ": " + api.get("/api/v1/revision"));
      Thread.sleep(50); // a polling step
    }
    for (String app : apps) {
      assertEquals(Integer.toString(lastAcknowledged.get(app)), api.app(app).path("desiredVersion").asText(), app);
    }
    Map<String, String> assigned = new HashMap<>();
    lastAssignment.get().getContainersList().forEach(c -> assigned.put(c.getApp(), c.getVersion()));
    for (String app : apps) assertEquals(Integer.toString(lastAcknowledged.get(app)), assigned.get(app), "assigned " + app);
    System.out.printf("FAULT 20 concurrent committers for %d s: %d changes acknowledged (%d API, %d CLI), %d given up as conflicts, "
            + "slowest change %d ms, 0 lost; reconciler at the head %d ms after the last commit%n", RUN.toSeconds(), acknowledged.get(),
        byApi.get(), byCli.get(),
        refused.get(), slowest.get(), FaultTest.msSince(settleStart));
  }

  private static String git(Path gitDir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + gitDir));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    return out.strip();
  }

  private static boolean deployByApi(FaultTest.Api api, String app, int version) {
    // 20 writers on one branch: a change may take many fetch-rebase-push attempts, so allow it minutes.
    HttpResponse<String> r = api.send("POST", "/api/v1/apps/" + app + "/deploy", "{\"version\": \"" + version + "\"}",
        Duration.ofMinutes(3));
    // 409: gave up after its retries. Not acknowledged, so not expected in the tree.
    if (r.statusCode() == 409) return false;
    assertEquals(200, r.statusCode(), r.body());
    return true;
  }

  private static boolean setImage(String url, String app, int version) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
        "set-image", app, Integer.toString(version), "--repo", url, "--actor", "ci-" + app);
    if (exit != 0 && err.toString().contains("kept moving")) return false;
    assertEquals(0, exit, err.toString());
    return true;
  }
}
