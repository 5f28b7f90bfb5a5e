package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RealDockerTest;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a build reaches the fleet: an image pushed to the real registry on 127.0.0.1:5000, {@code ogp
 * set-image} run as its own process against the desired state over smart HTTP with credentials from
 * the environment, and the agent pulling and running it.
 */
class ShipEndToEndTest extends RealDockerTest {
  @TempDir Path tmp;

  @Test
  void setImageOfAPushedBuildIsPulledFromTheRegistryAndRunAndAMissingTagKeepsTheOldVersion()
      throws Exception {
    String repository = pushToRegistry("101");
    removeAfterTest(repository + ":101");
    String next = pushToRegistry("102");
    removeAfterTest(next + ":102");
    String hostId = "h-" + app;
    try (GitHttpServer git = GitHttpServer.start("jenkins", "s3cret");
        TestRepo work = TestRepo.create(tmp.resolve("work"))) {
      Path bare = tmp.resolve("fleet.git");
      Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
      String url = git.serve("fleet.git", bare);
      work.commit(
          "Place " + app,
          Map.of(
              "apps/" + app + ".yaml",
              """
          app: %s
          image: %s
          version: "101"   # set by Jenkins
          hosts: [%s]
          command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
          """
                  .formatted(app, repository, hostId)));
      work.pushTo(url, "jenkins", "s3cret", false);

      GitRemote remote =
          new GitRemote(url, "main", "", new GitCredentials.UsernamePassword("jenkins", "s3cret"));
      try (ServerProcess server =
              new ServerProcess(
                  new ServerProcess.Settings(
                      remote,
                      tmp.resolve("server"),
                      Duration.ofMillis(300),
                      "127.0.0.1",
                      0,
                      0,
                      Duration.ofSeconds(15),
                      null));
          HostAgent agent =
              new HostAgent(
                  new HostAgent.Settings(
                      "127.0.0.1",
                      server.agentPort(),
                      hostId,
                      Map.of(),
                      server.joinToken().reveal(),
                      DockerRuntime.DEFAULT_HOST,
                      null,
                      tmp.resolve("agent"),
                      Duration.ofSeconds(1),
                      Duration.ofMillis(300),
                      Map.of(TEST_LABEL, testId)))) {
        awaitRunning("101");

        OgpRun shipped = setImageProcess(url, "102");
        assertEquals(0, shipped.exit(), shipped.err());
        assertTrue(
            shipped.out().strip().matches("[0-9a-f]{40}"),
            "prints the new commit: " + shipped.out());
        awaitRunning("102");
        String diff = lastCommitDiff(bare);
        assertTrue(
            diff.contains(
                "-version: \"101\"   # set by Jenkins\n+version: \"102\"   # set by Jenkins\n"),
            diff);
        assertTrue(
            lastCommitMessage(bare).endsWith("Ogp-App: " + app + "\nOgp-Actor: jenkins-web-102\n"),
            lastCommitMessage(bare));

        OgpRun again = setImageProcess(url, "102");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("already at 102"), again.out());

        String before = containers().get(0).getId();
        OgpRun missing = setImageProcess(url, "does-not-exist");
        assertEquals(0, missing.exit(), missing.err());
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertTrue(
                        lastError(server).contains("does-not-exist"),
                        () -> "the pull failure is visible in the API: " + appStatus(server)));
        assertEquals("Degraded", appStatus(server).path("health").asText());
        assertEquals(
            List.of(before),
            containers().stream().map(Container::getId).toList(),
            "the old container stays");
        assertEquals("running", containers().get(0).getState());
      }
    }
  }

  @Test
  void twentyParallelSetImageRunsForDifferentAppsAllLand() throws Exception {
    Path bare = tmp.resolve("fleet.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    Map<String, String> files = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      files.put(
          "apps/app-" + i + ".yaml",
          "app: app-%d\nimage: busybox\nversion: \"1\"\nhosts: [h]\n".formatted(i));
    }
    try (TestRepo work = TestRepo.create(tmp.resolve("work"))) {
      work.commit("Twenty apps", files);
      try (Git push = Git.open(work.path().toFile())) {
        push.push().setRemote(bare.toUri().toString()).add("main").call();
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<OgpRun>> runs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String appName = "app-" + i;
      runs.add(
          pool.submit(
              () ->
                  ogp(
                      "set-image",
                      appName,
                      "2",
                      "--repo",
                      bare.toUri().toString(),
                      "--actor",
                      "ci-" + appName)));
    }
    for (Future<OgpRun> run : runs) {
      OgpRun r = run.get(120, TimeUnit.SECONDS);
      assertEquals(0, r.exit(), r.err());
    }
    pool.shutdown();
    try (Repository repo = Git.open(bare.toFile()).getRepository();
        Git g = new Git(repo)) {
      int commits = 0;
      for (RevCommit c : g.log().call()) commits++;
      assertEquals(21, commits, "20 commits on top of the first, none lost");
      for (int i = 0; i < 20; i++) {
        String yaml =
            new String(
                repo.open(
                        org.eclipse.jgit.treewalk.TreeWalk.forPath(
                                repo,
                                "apps/app-" + i + ".yaml",
                                repo.parseCommit(repo.resolve("main")).getTree())
                            .getObjectId(0))
                    .getBytes(),
                StandardCharsets.UTF_8);
        assertTrue(yaml.contains("version: \"2\""), yaml);
      }
    }
  }

  // --- fixtures ----------------------------------------------------------------------------

  /**
   * ogp set-image as Jenkins runs it: its own JVM, credentials and build tag in the environment.
   */
  private OgpRun setImageProcess(String url, String version) throws Exception {
    // The production logging configuration (to stderr), not the test one on this classpath.
    String logback = Path.of("src", "main", "resources", "logback.xml").toAbsolutePath().toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlogback.configurationFile=" + logback,
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
            "-cp",
            System.getProperty("java.class.path"),
            "ogp.cli.Main",
            "set-image",
            app,
            version,
            "--repo",
            url);
    pb.environment().put("OGP_GIT_USERNAME", "jenkins");
    pb.environment().put("OGP_GIT_PASSWORD", "s3cret");
    pb.environment().put("BUILD_TAG", "jenkins-web-" + version);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "set-image finishes");
    assertTrue(!err.contains("s3cret") && !out.contains("s3cret"), "the password is never printed");
    return new OgpRun(p.exitValue(), out, err);
  }

  private List<Container> containers() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(TEST_LABEL, testId, "ogp.app", app))
        .exec();
  }

  private void awaitRunning(String version) {
    awaitOneRunning(
        app,
        version,
        Duration.ofSeconds(60),
        () ->
            "have "
                + containers().stream()
                    .map(c -> c.getLabels().get("ogp.version") + "/" + c.getState())
                    .toList());
  }

  private JsonNode appStatus(ServerProcess server) {
    return FaultTest.Api.of(server).app(app);
  }

  private String lastError(ServerProcess server) {
    JsonNode hosts = appStatus(server).path("hosts");
    return hosts.isEmpty() ? "" : hosts.get(0).path("lastError").asText("");
  }

  private static String lastCommitMessage(Path bare) throws Exception {
    try (Git g = Git.open(bare.toFile())) {
      return g.log().setMaxCount(1).call().iterator().next().getFullMessage();
    }
  }

  private static String lastCommitDiff(Path bare) throws Exception {
    try (Git g = Git.open(bare.toFile());
        var out = new java.io.ByteArrayOutputStream();
        var formatter = new org.eclipse.jgit.diff.DiffFormatter(out)) {
      Repository repo = g.getRepository();
      RevCommit head = repo.parseCommit(repo.resolve("main"));
      formatter.setRepository(repo);
      formatter.format(repo.parseCommit(head.getParent(0)).getTree(), head.getTree());
      formatter.flush();
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
