package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change API end to end: the desired state behind real smart HTTP with basic auth, a server
 * that polls once an hour, and an agent link. A deploy answers with the new commit, which the
 * server applies at once: the push asks the fetch worker to refresh, with no poll or webhook.
 */
class ChangeApiEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private GitHttpServer git;
  private TestRepo work;
  private ServerProcess server;
  private AgentLink agent;
  private final LinkedBlockingQueue<Assignment> assignments = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    git = GitHttpServer.start("ogp", "s3cret");
    Path bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    String remoteUrl = git.serve("fleet.git", bare);
    work = TestRepo.create(tmp.resolve("work"));
    work.commit(
        "Place web 1",
        Map.of(
            "apps/web.yaml",
            "app: web\nimage: 127.0.0.1:5000/demo/web\nversion: \"1\"  # CI\nhosts: [h1]\n"));
    work.pushTo(remoteUrl, "ogp", "s3cret", false);
    Path secretFile = Files.writeString(tmp.resolve("webhook-secret"), "secret\n");
    GitRemote remote =
        new GitRemote(remoteUrl, "main", "", new GitCredentials.UsernamePassword("ogp", "s3cret"));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                remote,
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                secretFile));
    agent =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity("h1", Map.of(), "test", "none"),
                assignments::add)
            .joinToken(server.joinToken().reveal())
            .start();
    assertTrue(
        assignments.poll(30, TimeUnit.SECONDS) != null, "the agent gets its first assignment");
  }

  @AfterEach
  void stop() {
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (work != null) work.close();
    if (git != null) git.close();
  }

  @Test
  void deployAnswersWithTheNewCommitWhichIsAppliedAtOnceWithoutAPollOrAWebhook() throws Exception {
    HttpResponse<String> response = post("/api/v1/apps/web/deploy", "{\"version\": \"2\"}");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    String sha = body.get("commit").asText();
    assertEquals("Deploy web 2", body.get("subject").asText());

    // The server polls once an hour: only the refresh the push requested can apply it within
    // seconds.
    JsonNode revision =
        await("applied at once, without a poll or a webhook")
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> JSON.readTree(get("/api/v1/revision").body()),
                now -> sha.equals(now.get("revision").asText()));
    assertEquals("Deploy web 2", revision.get("subject").asText());

    JsonNode history = JSON.readTree(get("/api/v1/apps/web/history").body());
    assertEquals(sha, history.get(0).get("sha").asText());
    assertEquals("1", history.get(0).get("versionBefore").asText());
    assertEquals("2", history.get(0).get("versionAfter").asText());
    assertEquals("admin", history.get(0).get("author").asText());

    JsonNode changed = null;
    for (JsonNode e : JSON.readTree(get("/api/v1/events").body()).path("items")) {
      if ("ChangeCommitted".equals(e.path("reason").asText())
          && sha.equals(e.path("revision").asText())) changed = e;
    }
    assertTrue(changed != null, "the deploy is an event");
    assertEquals("admin", changed.path("author").asText(), "the event names the actor: " + changed);
  }

  @Test
  void sameVersionAnswersWithoutACommit() throws Exception {
    HttpResponse<String> response = post("/api/v1/apps/web/deploy", "{\"version\": \"1\"}");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(JSON.readTree(response.body()).get("commit").isNull());
  }

  @Test
  void clientMistakesGetOneClearSentenceAndTheirStatus() throws Exception {
    assertEquals(400, post("/api/v1/apps/web/deploy", "{not json").statusCode());
    HttpResponse<String> wrongType = post("/api/v1/apps/web/deploy", "{\"version\": 43}");
    assertEquals(400, wrongType.statusCode());
    assertEquals(
        "\"version\" must be a string", JSON.readTree(wrongType.body()).get("error").asText());
    assertEquals(400, post("/api/v1/apps/web/deploy", "{\"hosts\": [1]}").statusCode());
    assertEquals(400, post("/api/v1/apps/web/deploy", "{}").statusCode());
    assertEquals(404, post("/api/v1/apps/nope/offline", "").statusCode());
    assertEquals(404, get("/api/v1/apps/nope/history").statusCode());
    HttpResponse<String> invalid = post("/api/v1/apps/web/deploy", "{\"version\": \"bad tag\"}");
    assertEquals(422, invalid.statusCode(), invalid.body());
    assertTrue(
        JSON.readTree(invalid.body())
            .get("errors")
            .get(0)
            .asText()
            .startsWith("apps/web.yaml:3:10"));
  }

  @Test
  void conflictingRollbackAnswers409AndCommitsNothing() throws Exception {
    String first =
        JSON.readTree(post("/api/v1/apps/web/deploy", "{\"version\": \"2\"}").body())
            .get("commit")
            .asText();
    String second =
        JSON.readTree(post("/api/v1/apps/web/deploy", "{\"version\": \"3\"}").body())
            .get("commit")
            .asText();
    HttpResponse<String> response =
        post("/api/v1/apps/web/rollback", "{\"commit\": \"" + first + "\"}");
    assertEquals(409, response.statusCode(), response.body());
    assertTrue(
        JSON.readTree(response.body()).get("error").asText().contains(second.substring(0, 7)));

    HttpResponse<String> rollback = post("/api/v1/apps/web/rollback", "{}");
    assertEquals(200, rollback.statusCode(), rollback.body());
    assertEquals("Revert \"Deploy web 3\"", JSON.readTree(rollback.body()).get("subject").asText());
    String revert = JSON.readTree(rollback.body()).get("commit").asText();
    String events = get("/api/v1/events").body();
    assertTrue(
        events.contains("RollbackCommitted") && events.contains(revert),
        "the rollback is an event: " + events);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .header("Authorization", "Bearer " + server.adminToken().reveal());
  }
}
