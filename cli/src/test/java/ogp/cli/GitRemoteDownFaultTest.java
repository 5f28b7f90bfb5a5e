package ogp.cli;

import static ogp.cli.Holds.holdsFor;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;

/**
 * The Git remote (smart HTTP with basic auth) becomes unreachable: the server keeps the last
 * applied revision and the containers, says so in /api/v1/revision and in events, stays ready; when
 * the remote is back at the same URL, the next commit is applied.
 */
class GitRemoteDownFaultTest extends FaultTest {

  @Test
  void unreachableRemoteKeepsTheAppliedRevisionAndContainersAndACommitAfterItReturnsIsApplied()
      throws Exception {
    String image = localImage("v1");
    localImage("v2");
    GitHttpServer git = closeAfterTest(GitHttpServer.start("ogp", "s3cret"));
    int gitPort = git.port();
    Path bare = tmp.resolve("fleet.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    String url = git.serve("fleet.git", bare);
    TestRepo work = closeAfterTest(TestRepo.create(tmp.resolve("work")));
    String v1 = work.commit("Place " + app, Map.of(appFile(), appYaml(image, "v1", QUICK_STOP)));
    work.pushTo(url, "ogp", "s3cret", false);
    // Polls every 300 ms, so the outage is seen by the poll, with no refresh from the test.
    ServerProcess server =
        startServer(
            new GitRemote(url, "main", "", new GitCredentials.UsernamePassword("ogp", "s3cret")),
            Duration.ofMillis(300),
            0,
            Duration.ofSeconds(15));
    Api api = Api.of(server);
    startAgent(server.agentPort(), server.joinToken().reveal());
    Container running = awaitOneRunning("v1");
    String startedAt = startedAt(running.getId());

    git.close();
    long downAt = System.nanoTime();
    await("the fetch error is visible")
        .atMost(CONVERGE)
        .until(() -> api.get("/api/v1/revision"), now -> !now.path("lastFetchError").isNull());
    long detectMs = msSince(downAt);
    JsonNode revision = api.get("/api/v1/revision");
    assertEquals(v1, revision.path("revision").asText(), "the last applied revision stays");
    await("a FetchFailed event")
        .atMost(CONVERGE)
        .until(() -> !api.events("FetchFailed", e -> true).isEmpty());
    assertNotNull(httpGet(api.base() + "/readyz"), "still ready: it has an applied revision");
    // Hold the outage over several polls and agent re-converges.
    holdsFor(
        Duration.ofSeconds(3),
        () ->
            assertEquals(
                List.of(running.getId()),
                running().stream().map(Container::getId).toList(),
                "untouched: " + describe()));
    assertEquals(startedAt, startedAt(running.getId()));
    assertEquals(
        1, api.events("FetchFailed", e -> true).size(), "one event per outage, not one per poll");

    GitHttpServer back = closeAfterTest(GitHttpServer.start("ogp", "s3cret", gitPort));
    assertEquals(url, back.serve("fleet.git", bare), "the same URL");
    long backAt = System.nanoTime();
    String v2 = commitVersion(work, image, "v2");
    work.pushTo(url, "ogp", "s3cret", false);
    awaitConverged(api, "v2", v2);
    long convergeMs = msSince(backAt);
    await("the fetch error clears")
        .atMost(CONVERGE)
        .until(() -> api.get("/api/v1/revision"), now -> now.path("lastFetchError").isNull());
    assertFalse(api.events("FetchRecovered", e -> true).isEmpty(), "the recovery is an event");
    report("Git remote unreachable", detectMs, convergeMs);
  }
}
