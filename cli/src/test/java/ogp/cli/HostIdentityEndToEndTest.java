package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.agent.link.HostKey;
import ogp.agent.replicas.LeaderEpoch;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostBindings;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host identities through the real server wiring, the API and the CLI: labels a bound agent
 * declares later do not attract a selector-placed app, an admin's {@code ogp hosts label} does; a
 * viewer cannot release a host; {@code ogp hosts release} frees the name for another identity. The
 * hosts view also shows what an agent reports of fencing (its highest leader epoch).
 */
class HostIdentityEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestRepo work;
  private ServerProcess server;
  private final List<AutoCloseable> links = new java.util.ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Path bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    work = TestRepo.create(tmp.resolve("work"));
    work.commit(
        "Place db on role=db",
        Map.of(
            "apps/db.yaml",
            "app: db\nimage: busybox\nversion: \"1\"\nselector: {role: db}\n",
            "apps/web.yaml",
            "app: web\nimage: busybox\nversion: \"1\"\nselector: {role: web}\n"));
    work.pushTo(bare.toUri().toString(), "", "", false);
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(bare.toUri().toString(), "main", ""),
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
    await("the first revision is applied")
        .atMost(WAIT)
        .until(() -> status("/readyz", null), code -> code == 200);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable link : links) link.close();
    if (server != null) server.close();
    if (work != null) work.close();
  }

  @Test
  void declaredLabelsDoNotAttractASelectorPlacedAppButAnAdminsLabelDoesAndReleaseRebinds()
      throws Exception {
    HostKey key = HostKey.random();
    List<Assignment> first = new CopyOnWriteArrayList<>();
    AgentLink web = link(new AgentIdentity("h-1", Map.of("role", "web"), "t", "none", key), first);
    await("bound as role=web, assigned web").atMost(WAIT).until(() -> apps(first).contains("web"));
    web.close();

    // The same agent comes back declaring role=db: it must not get the db app.
    List<Assignment> second = new CopyOnWriteArrayList<>();
    link(new AgentIdentity("h-1", Map.of("role", "db"), "t", "none", key), second);
    await("reconnected, assigned again").atMost(WAIT).until(() -> apps(second).contains("web"));
    Holds.holdsFor(
        Duration.ofSeconds(2), () -> assertFalse(apps(second).contains("db"), "" + second));
    JsonNode host = hosts().get(0);
    assertEquals("web", host.path("labels").path("role").asText(), host.toString());
    assertEquals("db", host.path("declaredLabels").path("role").asText(), host.toString());

    // A viewer may not change identities; an unknown host is a 404.
    String viewer =
        Files.readString(tmp.resolve("server").resolve(SecretToken.VIEWER_TOKEN_FILE)).strip();
    OgpRun refused = ogp("hosts", "release", "h-1", "--server", url(), "--token", viewer);
    assertEquals(1, refused.exit(), refused.err());
    assertTrue(refused.err().contains("403"), refused.err());
    OgpRun unknown = ogp("hosts", "release", "nobody", "--server", url(), "--token", admin());
    assertEquals(1, unknown.exit(), unknown.err());
    assertTrue(unknown.err().contains("404"), unknown.err());

    // Bad bodies are refused with one sentence and change nothing.
    for (String bad :
        List.of("{}", "{\"set\": [\"role\"]}", "{\"set\": {\"ro\\u0001le\": \"db\"}}", "[1]")) {
      HttpResponse<String> answer = put("/api/v1/hosts/h-1/labels", bad);
      assertEquals(400, answer.statusCode(), bad + ": " + answer.body());
      assertTrue(JSON.readTree(answer.body()).hasNonNull("error"), answer.body());
    }
    assertEquals("web", hosts().get(0).path("labels").path("role").asText());

    OgpRun label = ogp("hosts", "label", "h-1", "role=db", "--server", url(), "--token", admin());
    assertEquals(0, label.exit(), label.err());
    await("the admin's label places db on h-1")
        .atMost(WAIT)
        .until(() -> apps(second).contains("db"));

    OgpRun release = ogp("hosts", "release", "h-1", "--server", url(), "--token", admin());
    assertEquals(0, release.exit(), release.err());
    List<Assignment> replacement = new CopyOnWriteArrayList<>();
    AgentLink newMachine =
        link(new AgentIdentity("h-1", Map.of("role", "web"), "t", "none"), replacement);
    await("a new identity binds the released name").atMost(WAIT).until(newMachine::isConnected);
    // hosts.json is written by its own thread, at most every 200 ms after the claim.
    await("the new binding is saved")
        .atMost(WAIT)
        .until(
            () ->
                Files.readString(tmp.resolve("server").resolve(HostBindings.FILE))
                    .contains("\"h-1\""));
  }

  @Test
  void theHostsViewShowsTheHighestEpochAndTheStaleCommandsTheAgentReports() throws Exception {
    Path agentData = tmp.resolve("agent");
    Files.createDirectories(agentData);
    // An agent that followed a replicated server to epoch 7 before this single server.
    Files.writeString(agentData.resolve(LeaderEpoch.FILE), "7\n");
    List<Assignment> received = new CopyOnWriteArrayList<>();
    AgentLink link =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity("h-2", Map.of("role", "web"), "t", "none"),
                received::add)
            .joinToken(server.joinToken().reveal())
            .leaderEpoch(LeaderEpoch.in(agentData))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .start();
    links.add(link);
    await("assigned at epoch 0, accepted").atMost(WAIT).until(() -> apps(received).contains("web"));
    link.report(StatusReport.newBuilder().setRevision("r").build());

    await("reported").atMost(WAIT).until(() -> hosts().get(0).path("highestEpoch").asLong() == 7);
    JsonNode host = hosts().get(0);
    assertEquals(0, host.path("staleCommandsRefused").asLong(-1), host.toString());
    assertEquals(7, link.highestEpoch(), "a single server's epoch 0 leaves it alone");
  }

  private AgentLink link(AgentIdentity identity, List<Assignment> into) {
    AgentLink link =
        AgentLink.builder("127.0.0.1", server.agentPort(), identity, into::add)
            .joinToken(server.joinToken().reveal())
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .start();
    links.add(link);
    return link;
  }

  /** The apps of the newest assignment received. */
  private static List<String> apps(List<Assignment> received) {
    if (received.isEmpty()) return List.of();
    return received.get(received.size() - 1).getContainersList().stream()
        .map(c -> c.getApp())
        .toList();
  }

  private JsonNode hosts() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url() + "/api/v1/hosts"))
                    .header("Authorization", "Bearer " + admin())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> put(String path, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url() + path))
                .header("Authorization", "Bearer " + admin())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private int status(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path));
    if (token != null) request.header("Authorization", "Bearer " + token);
    return HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private String url() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  private String admin() {
    return server.adminToken().reveal();
  }
}
