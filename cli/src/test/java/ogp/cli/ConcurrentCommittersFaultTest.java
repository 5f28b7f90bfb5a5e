package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
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
 * Committers racing for one branch served by {@code git daemon}. 25 committers for 60 s, each
 * deploying its own app with increasing versions by one of three paths: POST
 * /api/v1/apps/{app}/deploy, {@code ogp set-image --server} (both through the server's serial
 * writer) and {@code ogp set-image --repo} (pure Git, racing the server's pushes). Every committer
 * must land changes, none may be refused, every acknowledged version must be a commit in history,
 * and the reconciler must end at the branch head. The agent is a bare {@link AgentLink} (no
 * Docker): this is about commits, not containers.
 */
class ConcurrentCommittersFaultTest {
  private static final int COMMITTERS = 25;
  private static final Duration RUN = Duration.ofSeconds(60);

  /** Which way a committer's changes go. */
  private enum Route {
    API,
    SERVER_CLI,
    GIT_CLI
  }

  @TempDir Path tmp;
  private ServerProcess server;
  private AgentLink agent;
  private final AtomicReference<Assignment> lastAssignment = new AtomicReference<>();

  private GitDaemon gitDaemon;

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (gitDaemon != null) gitDaemon.close();
  }

  /**
   * The branch's URL, served by git daemon, with one file per app at version 0, and the server
   * following it.
   */
  private String startFleet(List<String> apps) throws Exception {
    Path bare = tmp.resolve("fleet.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    gitDaemon = GitDaemon.serve(tmp);
    String url = gitDaemon.url("fleet.git");
    Map<String, String> files = new HashMap<>();
    for (String app : apps)
      files.put(
          "apps/" + app + ".yaml",
          "app: %s\nimage: busybox\nversion: \"0\"\nhosts: [h]\n".formatted(app));
    try (TestRepo work = TestRepo.create(tmp.resolve("work"))) {
      work.commit(apps.size() + " apps", files);
      work.pushTo(url, "", "", false);
    }
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                new GitRemote(url, "main", "", GitCredentials.fromEnvironment(Map.of())),
                tmp.resolve("server"),
                Duration.ofMillis(500),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
    agent =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity("h", Map.of(), "test", "none"),
                lastAssignment::set)
            .joinToken(server.joinToken().reveal())
            .start();
    return url;
  }

  private static Route pathOf(String app) {
    return Route.valueOf(
        app.substring(0, app.lastIndexOf('-'))
            .toUpperCase(java.util.Locale.ROOT)
            .replace('-', '_'));
  }

  @Test
  void
      twentyFiveCommittersOnThreePathsForSixtySecondsAllLandNoneIsLostAndTheReconcilerEndsAtTheHead()
          throws Exception {
    List<String> apps = new ArrayList<>();
    for (int i = 0; i < COMMITTERS; i++) {
      apps.add(
          switch (i % 3) {
            case 0 -> "api-" + i;
            case 1 -> "server-cli-" + i;
            default -> "git-cli-" + i;
          });
    }
    String url = startFleet(apps);
    Path bare = tmp.resolve("fleet.git");
    FaultTest.Api api = FaultTest.Api.of(server);
    Map<String, List<Integer>> acknowledgedVersions = new ConcurrentHashMap<>();

    Map<String, Integer> lastAcknowledged = new ConcurrentHashMap<>();
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicLong slowest = new AtomicLong();
    Map<Route, AtomicInteger> byPath = new ConcurrentHashMap<>();
    Map<Route, AtomicLong> slowestByPath = new ConcurrentHashMap<>();
    for (Route p : Route.values()) {
      byPath.put(p, new AtomicInteger());
      slowestByPath.put(p, new AtomicLong());
    }
    long end = System.nanoTime() + RUN.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(apps.size());
    List<Future<?>> committers = new ArrayList<>();
    for (String app : apps) {
      committers.add(
          pool.submit(
              () -> {
                for (int version = 1; System.nanoTime() < end; version++) {
                  long started = System.nanoTime();
                  boolean ok =
                      switch (pathOf(app)) {
                        case API -> deployByApi(api, app, version);
                        case SERVER_CLI ->
                            setImage(app, version, "--server", api.base(), "--token", api.token());
                        case GIT_CLI -> setImage(app, version, "--repo", url);
                      };
                  slowest.accumulateAndGet(FaultTest.msSince(started), Math::max);
                  slowestByPath
                      .get(pathOf(app))
                      .accumulateAndGet(FaultTest.msSince(started), Math::max);
                  if (ok) {
                    lastAcknowledged.put(app, version);
                    acknowledgedVersions
                        .computeIfAbsent(
                            app, a -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(version);
                    acknowledged.incrementAndGet();
                    byPath.get(pathOf(app)).incrementAndGet();
                  } else {
                    refused
                        .incrementAndGet(); // reported as failed to the committer, so not expected
                    // in the tree
                  }
                }
                return null;
              }));
    }
    for (Future<?> committer : committers) committer.get(RUN.toSeconds() + 240, TimeUnit.SECONDS);
    pool.shutdown();

    // Read with the git CLI straight from the repository the daemon serves: what is on disk.
    String head = git(bare, "rev-parse", "main");
    assertEquals(
        acknowledged.get() + 1,
        Integer.parseInt(git(bare, "rev-list", "--count", "main")),
        "one commit per acknowledged change, on top of the first");
    assertEquals(
        0,
        refused.get(),
        "no change is refused: each retries within its time budget or waits its turn");
    for (String app : apps) {
      assertTrue(lastAcknowledged.containsKey(app), app + " got at least one change in");
      String yaml = git(bare, "show", "main:apps/" + app + ".yaml");
      assertTrue(
          yaml.contains("version: \"" + lastAcknowledged.get(app) + "\""),
          app + " ends at its last version: " + yaml);
      assertEquals(
          acknowledgedVersions.get(app),
          versionsInHistory(bare, app),
          app + ": every acknowledged version is a commit, in order");
    }
    long settleStart = System.nanoTime();
    api.refresh();
    awaitAtHead(api, head);
    for (String app : apps) {
      assertEquals(
          Integer.toString(lastAcknowledged.get(app)),
          api.app(app).path("desiredVersion").asText(),
          app);
    }
    Map<String, String> assigned = new HashMap<>();
    lastAssignment.get().getContainersList().forEach(c -> assigned.put(c.getApp(), c.getVersion()));
    for (String app : apps)
      assertEquals(
          Integer.toString(lastAcknowledged.get(app)), assigned.get(app), "assigned " + app);
    System.out.printf(
        "FAULT %d concurrent committers for %d s: %d changes acknowledged (%d API, %d set-image --server, %d set-image --repo),"
            + " %d given up, slowest change %d ms (API %d, --server %d, --repo %d), 0 lost; reconciler at the head %d ms after the last commit%n",
        COMMITTERS,
        RUN.toSeconds(),
        acknowledged.get(),
        byPath.get(Route.API).get(),
        byPath.get(Route.SERVER_CLI).get(),
        byPath.get(Route.GIT_CLI).get(),
        refused.get(),
        slowest.get(),
        slowestByPath.get(Route.API).get(),
        slowestByPath.get(Route.SERVER_CLI).get(),
        slowestByPath.get(Route.GIT_CLI).get(),
        FaultTest.msSince(settleStart));
  }

  @Test
  void twentyFiveConcurrentSetImageThroughTheServerForOneAppAreAllCommittedAndTheLastIsApplied()
      throws Exception {
    String url = startFleet(List.of("web"));
    Path bare = tmp.resolve("fleet.git");
    FaultTest.Api api = FaultTest.Api.of(server);
    ExecutorService pool = Executors.newFixedThreadPool(COMMITTERS);
    List<Future<Boolean>> calls = new ArrayList<>();
    for (int version = 1; version <= COMMITTERS; version++) {
      int v = version;
      calls.add(
          pool.submit(() -> setImage("web", v, "--server", api.base(), "--token", api.token())));
    }
    for (Future<Boolean> call : calls) assertTrue(call.get(3, TimeUnit.MINUTES), "acknowledged");
    pool.shutdown();

    List<Integer> history = versionsInHistory(bare, "web");
    assertEquals(COMMITTERS, history.size(), "one commit per call: " + history);
    assertEquals(
        java.util.stream.IntStream.rangeClosed(1, COMMITTERS).boxed().toList(),
        history.stream().sorted().toList(),
        "every version is in history");
    String head = git(bare, "rev-parse", "main");
    String last = Integer.toString(history.get(history.size() - 1));
    awaitAtHead(api, head);
    assertEquals(
        last,
        api.app("web").path("desiredVersion").asText(),
        "the last commit's version is applied");
    assertEquals(last, lastAssignment.get().getContainers(0).getVersion(), "and assigned");
    assertTrue(url.startsWith("git://"));
  }

  /**
   * Waits until the reconciler has applied {@code head} and the agent was assigned it, checking at
   * once and then every 50 ms: how long it took after the last commit is printed.
   */
  private void awaitAtHead(FaultTest.Api api, String head) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertTrue(
                    head.equals(api.get("/api/v1/revision").path("revision").asText())
                        && lastAssignment.get() != null
                        && head.equals(lastAssignment.get().getRevision()),
                    () ->
                        "the reconciler and the agent end at the head "
                            + head
                            + ": "
                            + api.get("/api/v1/revision")));
  }

  /**
   * The versions the app's file was set to, oldest commit first (git log -p of the file on main).
   */
  private static List<Integer> versionsInHistory(Path gitDir, String app) throws Exception {
    String log =
        git(gitDir, "log", "--reverse", "-p", "--format=", "main", "--", "apps/" + app + ".yaml");
    List<Integer> versions = new ArrayList<>();
    for (String line : log.split("\n")) {
      if (line.startsWith("+version: \""))
        versions.add(Integer.parseInt(line.replaceAll("[^0-9]", "")));
    }
    versions.remove(Integer.valueOf(0)); // the file's creation
    return versions;
  }

  private static String git(Path gitDir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + gitDir));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
        String.join(" ", command) + ": " + out);
    return out.strip();
  }

  private static boolean deployByApi(FaultTest.Api api, String app, int version) {
    // 20 writers on one branch: a change may take many fetch-rebase-push attempts, so allow it
    // minutes.
    HttpResponse<String> r =
        api.send(
            "POST",
            "/api/v1/apps/" + app + "/deploy",
            "{\"version\": \"" + version + "\"}",
            Duration.ofMinutes(3));
    // 409: gave up. Not acknowledged, so not expected in the tree.
    if (r.statusCode() == 409) return false;
    assertEquals(200, r.statusCode(), r.body());
    return true;
  }

  /**
   * {@code ogp set-image APP VERSION} with {@code how} (--repo URL, or --server URL --token T);
   * false when it gave up.
   */
  private static boolean setImage(String app, int version, String... how) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args =
        new ArrayList<>(
            List.of("set-image", app, Integer.toString(version), "--actor", "ci-" + app));
    args.addAll(List.of(how));
    int exit =
        Main.run(
            new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    if (exit != 0 && err.toString().contains("kept moving")) return false;
    assertEquals(0, exit, err.toString());
    assertTrue(out.toString().strip().matches("[0-9a-f]{40}"), "prints the commit: " + out);
    return true;
  }
}
