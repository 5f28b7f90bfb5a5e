package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge-request guide's own CI files, committed where GitLab and GitHub look for them ({@code
 * .gitlab-ci.yml}, {@code .github/workflows/}), are not desired state for any reader: the running
 * server applies the commit that adds them and the next one, {@code ogp validate} and {@code ogp
 * diff} agree with it.
 */
class CiFilesInTheRepositoryTest {
  @TempDir Path tmp;
  private ServerProcess server;
  private AgentLink agent;
  private final AtomicReference<Assignment> lastAssignment = new AtomicReference<>();

  @AfterEach
  void stop() {
    if (agent != null) agent.close();
    if (server != null) server.close();
  }

  @Test
  void theMergeRequestGuidesCiFilesAreNotDesiredStateAndTheNextCommitIsApplied() throws Exception {
    Path examples = Path.of("..", "examples", "merge-request");
    try (TestRepo repo = TestRepo.create(tmp.resolve("fleet"))) {
      String withCi =
          repo.commit(
              "Apps and their CI",
              Map.of(
                  "apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [h]\n",
                  ".gitlab-ci.yml", Files.readString(examples.resolve("gitlab-ci.yml")),
                  ".github/workflows/ogp.yml",
                      Files.readString(examples.resolve("github-actions.yml")),
                  "Jenkinsfile", Files.readString(examples.resolve("Jenkinsfile"))));

      OgpRun validate = ogp("validate", repo.path().toString());
      assertEquals(0, validate.exit(), validate.out() + validate.err());
      assertTrue(validate.out().startsWith("valid: 1 app(s)"), validate.out());

      server =
          new ServerProcess(
              new ServerProcess.Settings(
                  GitRemote.of(repo.url(), "main", ""),
                  tmp.resolve("server"),
                  Duration.ofMillis(200),
                  "127.0.0.1",
                  0,
                  0,
                  Duration.ofSeconds(15),
                  null));
      FaultTest.Api api = FaultTest.Api.of(server);
      agent =
          AgentLink.builder(
                  "127.0.0.1",
                  server.agentPort(),
                  new AgentIdentity("h", Map.of(), "test", "none"),
                  lastAssignment::set)
              .joinToken(server.joinToken().reveal())
              .start();
      awaitApplied(api, withCi, "1");

      String next =
          repo.commit(
              "Deploy web 2",
              Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"2\"\nhosts: [h]\n"));
      awaitApplied(api, next, "2");
      OgpRun diff = ogp("diff", "--repo", repo.path().toString(), "--from", withCi, "--to", next);
      assertEquals("~ web 1 -> 2 on h\n", diff.out(), diff.err());
    }
  }

  private void awaitApplied(FaultTest.Api api, String revision, String version)
      throws InterruptedException {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertTrue(
                    revision.equals(api.get("/api/v1/revision").path("revision").asText())
                        && lastAssignment.get() != null
                        && revision.equals(lastAssignment.get().getRevision()),
                    () ->
                        "applied and assigned: " + revision + ": " + api.get("/api/v1/revision")));
    assertTrue(
        api.get("/api/v1/revision").path("invalid").isNull(),
        "no invalid revision: " + api.get("/api/v1/revision"));
    assertEquals(version, lastAssignment.get().getContainers(0).getVersion());
  }
}
