package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revision that would remove most of the fleet's containers is held, not applied, until an admin
 * confirms it (issue 16, item 10): the real server wiring, a real Git repository and two agent
 * links over real sockets that record the assignments they are sent.
 */
class MassRemovalHoldTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestRepo repo;
  private ServerProcess server;
  private String admin;
  private final List<AgentLink> links = new ArrayList<>();
  private final Map<String, Assignment> assigned = new ConcurrentHashMap<>();

  /** One identity per host, as an agent keeps its key across reconnects. */
  private final Map<String, AgentIdentity> identities = new ConcurrentHashMap<>();

  private final HttpClient http = HttpClient.newHttpClient();

  /** web and api on h1 and h2, worker on h1: five containers. */
  @BeforeEach
  void aFleetOfFiveContainersOnTwoAgents() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit(
        "Start",
        Map.of(
            "apps/web.yaml", app("web", "h1, h2"),
            "apps/api.yaml", app("api", "h1, h2"),
            "apps/worker.yaml", app("worker", "h1")));
    server = startServer();
    admin = server.adminToken().reveal();
    connect("h1");
    connect("h2");
    String start = repo.head();
    awaitAssigned("h1", start, 3);
    awaitAssigned("h2", start, 2);
  }

  @AfterEach
  void stop() {
    links.forEach(AgentLink::close);
    if (server != null) server.close();
    if (repo != null) repo.close();
  }

  private ServerProcess startServer() throws Exception {
    return new ServerProcess(
        new ServerProcess.Settings(
            GitRemote.of(repo.url(), "main", ""),
            tmp.resolve("server"),
            Duration.ofHours(1),
            "127.0.0.1",
            0,
            0,
            Duration.ofSeconds(15),
            null));
  }

  /** An agent link for {@code host} that records the latest assignment it is sent. */
  private void connect(String host) {
    links.add(
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                identities.computeIfAbsent(
                    host, h -> new AgentIdentity(h, Map.of(), "test", "none")),
                a -> assigned.put(host, a))
            .joinToken(server.joinToken().reveal())
            .start());
  }

  private static String app(String name, String hosts) {
    return "app: %s\nimage: busybox\nversion: \"1\"\nhosts: [%s]\n".formatted(name, hosts);
  }

  @Test
  void aCommitDeletingEveryAppIsHeldUntilAnAdminConfirmsIt() throws Exception {
    String start = repo.head();
    WatchLines watch = WatchLines.open(http, server.httpPort(), admin, null);
    String wipe =
        repo.delete(
            "Move the apps to fleet/", "apps/web.yaml", "apps/api.yaml", "apps/worker.yaml");
    refresh();

    JsonNode held = awaitHeld(wipe);
    watch.await(
        l ->
            "Revision".equals(l.path("kind").asText())
                && l.toString().contains("\"held\":{\"revision\":\"" + wipe + "\""),
        WAIT);
    watch.close();
    assertEquals(5, held.get("removes").asInt());
    assertEquals(5, held.get("of").asInt());
    assertEquals("would remove 5 of 5 containers (threshold 50%)", held.get("reason").asText());
    assertEquals(start, revision().get("revision").asText(), "the previous revision stays");
    assertEquals(start, assigned.get("h1").getRevision(), "nothing was sent to the agents");
    assertEquals(3, assigned.get("h1").getContainersCount());
    assertEquals(2, assigned.get("h2").getContainersCount());
    String events = send("GET", "/api/v1/events", admin, "").body();
    assertTrue(events.contains("RevisionHeld"), events);
    assertTrue(events.contains("would remove 5 of 5 containers"), events);

    String deployer = createToken("jenkins", "deployer");
    assertEquals(403, confirm(wipe, deployer).statusCode(), "only an admin confirms");
    HttpResponse<String> notHeld = confirm(start, admin);
    assertEquals(409, notHeld.statusCode(), notHeld.body());
    assertTrue(notHeld.body().contains("the held revision is " + wipe), notHeld.body());
    assertEquals(wipe, revision().get("held").get("revision").asText(), "refusals change nothing");

    HttpResponse<String> confirmed = confirm(wipe, admin);
    assertEquals(202, confirmed.statusCode(), confirmed.body());
    awaitAssigned("h1", wipe, 0);
    awaitAssigned("h2", wipe, 0);
    assertEquals(wipe, revision().get("revision").asText());
    assertTrue(revision().get("held").isNull(), revision().toString());
  }

  @Test
  void aPolicyWithTheThresholdOffAppliesAMassRemovalAtOnce() throws Exception {
    repo.delete("Remove every app", "apps/web.yaml", "apps/api.yaml", "apps/worker.yaml");
    String off =
        repo.commit(
            "Mass removals need no confirmation",
            Map.of("ogp.yaml", "kind: Policy\nmassRemoval: {threshold: off}\n"));
    refresh();

    awaitAssigned("h1", off, 0);
    awaitAssigned("h2", off, 0);
    assertTrue(revision().get("held").isNull());
  }

  @Test
  void aRevisionUnderTheThresholdAppliesAtOnce() throws Exception {
    String lessApi = repo.delete("Remove api", "apps/api.yaml"); // 2 of 5 containers
    refresh();

    awaitAssigned("h1", lessApi, 2);
    awaitAssigned("h2", lessApi, 1);
    assertTrue(revision().get("held").isNull());
  }

  @Test
  void aNewerCommitReplacesTheHoldAndTheOldConfirmationNoLongerApplies() throws Exception {
    String start = repo.head();
    String wipe = repo.delete("Remove every app", "apps/web.yaml", "apps/api.yaml");
    refresh();
    awaitHeld(wipe);

    String worse = repo.delete("Remove the worker too", "apps/worker.yaml");
    refresh();
    awaitHeld(worse);

    OgpRun status = ogp("status", "--server", serverUrl(), "--token", admin);
    assertEquals(0, status.exit(), status.err());
    assertTrue(
        status
            .out()
            .contains(
                "held     "
                    + worse
                    + " by Test Author <author@example.com> is not applied: it would remove 5 of 5"
                    + " containers (threshold 50%); an admin applies it with: ogp confirm "
                    + worse),
        status.out());
    OgpRun stale = ogp("confirm", wipe, "--server", serverUrl(), "--token", admin);
    assertEquals(1, stale.exit(), stale.out());
    assertTrue(stale.err().contains("409") && stale.err().contains(worse), stale.err());
    assertEquals(start, revision().get("revision").asText());
    assertEquals(start, assigned.get("h1").getRevision());

    OgpRun confirmed = ogp("confirm", worse, "--server", serverUrl(), "--token", admin);
    assertEquals(0, confirmed.exit(), confirmed.err());
    awaitAssigned("h1", worse, 0);
    awaitAssigned("h2", worse, 0);
  }

  private String serverUrl() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  @Test
  void aHeldRevisionStaysHeldAndThePreviousOneAppliedAcrossAServerRestart() throws Exception {
    String start = repo.head();
    String wipe =
        repo.delete("Remove every app", "apps/web.yaml", "apps/api.yaml", "apps/worker.yaml");
    refresh();
    awaitHeld(wipe);
    links.forEach(AgentLink::close);
    links.clear();
    server.close();
    assigned.clear();

    server = startServer();
    admin = server.adminToken().reveal();
    connect("h1");

    JsonNode held = awaitHeld(wipe);
    assertEquals("would remove 5 of 5 containers (threshold 50%)", held.get("reason").asText());
    assertEquals(start, revision().get("revision").asText(), "the revision applied before");
    awaitAssigned("h1", start, 3);
  }

  private JsonNode awaitHeld(String sha) throws Exception {
    await("revision " + sha + " is held")
        .atMost(WAIT)
        .until(
            () -> {
              JsonNode held = revision().get("held");
              return held != null && !held.isNull() && held.get("revision").asText().equals(sha);
            });
    return revision().get("held");
  }

  private void awaitAssigned(String host, String revision, int containers) {
    await(host + " is assigned " + containers + " container(s) at " + revision)
        .atMost(WAIT)
        .until(
            () -> {
              Assignment a = assigned.get(host);
              return a != null
                  && a.getRevision().equals(revision)
                  && a.getContainersCount() == containers;
            });
  }

  private JsonNode revision() throws Exception {
    return JSON.readTree(send("GET", "/api/v1/revision", admin, "").body());
  }

  private void refresh() throws Exception {
    assertEquals(202, send("POST", "/api/v1/refresh", admin, "").statusCode());
  }

  private HttpResponse<String> confirm(String sha, String token) throws Exception {
    return send("POST", "/api/v1/revision/confirm", token, "{\"revision\": \"" + sha + "\"}");
  }

  private String createToken(String name, String role) {
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--name",
            name,
            "--role",
            role,
            "--data-dir",
            tmp.resolve("server").toString());
    assertEquals(0, run.exit(), run.err());
    return run.out().strip();
  }

  private HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return LocalServers.send(http, server, method, path, token, body);
  }
}
