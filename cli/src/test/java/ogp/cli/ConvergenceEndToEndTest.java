package ogp.cli;

import static ogp.cli.Holds.holdsFor;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RealDockerTest;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The convergence loop end to end: a real Git repository, the real server process, a real agent on
 * the real Docker engine. Commits are picked up through POST /api/v1/refresh (the poll interval is
 * an hour), so every step also shows the API path.
 */
class ConvergenceEndToEndTest extends RealDockerTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Git repo;
  private ServerProcess server;
  private HostAgent agent;
  private String hostId;
  private String image;
  private int webPort;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startServerAndAgent() throws Exception {
    hostId = "h-" + app;
    image = localImage("v1");
    localImage("v2");
    webPort = freePort();
    repo = Git.init().setDirectory(tmp.resolve("repo").toFile()).setInitialBranch("main").call();
    commit("Place " + app, appYaml("v1", "running", "hello"));
    server = startServer();
    agent = startAgent(SecretTokenFile.read(server));
  }

  @AfterEach
  void stopServerAndAgent() throws Exception {
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (repo != null) repo.close();
  }

  @Test
  void commitPlacingAnAppRunsItsContainerWithImagePortsEnvAndLabels() throws Exception {
    Container c = awaitOneContainer("v1");
    InspectContainerResponse inspected = inspect(c.getId());
    assertEquals(image + ":v1", inspected.getConfig().getImage());
    assertTrue(List.of(inspected.getConfig().getEnv()).contains("GREETING=hello"));
    Map<String, String> labels = inspected.getConfig().getLabels();
    assertEquals("true", labels.get("ogp.managed"));
    assertEquals(app, labels.get("ogp.app"));
    assertEquals("v1", labels.get("ogp.version"));
    assertEquals(head(), labels.get("ogp.revision"));
    assertFalse(labels.get("ogp.spec-hash").isEmpty());
    await("the app answers on its host port")
        .atMost(CONVERGE)
        .until(() -> "hello".equals(strip(httpGet("http://127.0.0.1:" + webPort + "/"))));
    await("the API shows the app Synced and Healthy")
        .atMost(CONVERGE)
        .until(
            this::appStatus,
            s ->
                "Synced".equals(s.path("sync").asText())
                    && "Healthy".equals(s.path("health").asText()));
  }

  @Test
  void versionBumpReplacesTheContainer() throws Exception {
    Container first = awaitOneContainer("v1");
    commit("Deploy v2", appYaml("v2", "running", "hello"));
    refresh();
    Container second = awaitOneContainer("v2");
    assertNotEquals(first.getId(), second.getId());
    assertFalse(exists(first.getId()), "the old container is removed");
  }

  @Test
  void absentRemovesTheContainer() throws Exception {
    Container c = awaitOneContainer("v1");
    commit("Take offline", appYaml("v1", "absent", "hello"));
    refresh();
    await("the container is removed").atMost(CONVERGE).until(() -> !exists(c.getId()));
    awaitSynced("absent app is Synced");
  }

  @Test
  void containerKilledOrRemovedByHandIsRestored() throws Exception {
    Container c = awaitOneContainer("v1");
    docker.killContainerCmd(c.getId()).exec();
    await("the killed container runs again")
        .atMost(CONVERGE)
        .until(() -> Boolean.TRUE.equals(inspect(c.getId()).getState().getRunning()));
    docker.removeContainerCmd(c.getId()).withForce(true).exec();
    Container recreated = awaitOneContainer("v1");
    assertNotEquals(c.getId(), recreated.getId());
  }

  @Test
  void restartedAgentAdoptsContainersWithoutRestartingThem() throws Exception {
    Container c = awaitOneContainer("v1");
    String startedAt = inspect(c.getId()).getState().getStartedAt();
    agent.close();
    agent = startAgent(SecretTokenFile.read(server));
    await("the restarted agent reconnects").atMost(CONVERGE).until(this::hostConnected);
    awaitSynced("synced again");
    assertEquals(List.of(c.getId()), containers().stream().map(Container::getId).toList());
    assertEquals(startedAt, inspect(c.getId()).getState().getStartedAt(), "not restarted");
  }

  @Test
  void stoppedServerLeavesContainersUntouchedAndConvergesAfterItReturns() throws Exception {
    Container c = awaitOneContainer("v1");
    server.close();
    server = null;
    // The agent re-converges every second; give it several rounds without a server.
    holdsFor(
        Duration.ofSeconds(3),
        () ->
            assertTrue(
                Boolean.TRUE.equals(inspect(c.getId()).getState().getRunning()),
                "kept running without a server"));
    commit("Deploy v2 while the server is down", appYaml("v2", "running", "hello"));
    server = startServer();
    Container second = awaitOneContainer("v2");
    assertNotEquals(c.getId(), second.getId());
  }

  @Test
  void invalidCommitChangesNothingAndIsReportedByTheApi() throws Exception {
    Container c = awaitOneContainer("v1");
    String valid = head();
    commit(
        "Break the port",
        appYaml("v2", "running", "hello").replace(webPort + ":8080", "80800:8080"));
    refresh();
    await("the invalid revision is reported")
        .atMost(CONVERGE)
        .until(() -> !api("/api/v1/revision").path("invalid").isNull());
    JsonNode revision = api("/api/v1/revision");
    assertEquals(
        valid, revision.path("revision").asText(), "the last valid revision stays applied");
    assertEquals(head(), revision.path("invalid").path("revision").asText());
    assertTrue(
        revision.path("invalid").path("errors").get(0).asText().contains("80800:8080"),
        revision.toString());
    assertTrue(revision.path("invalid").path("author").asText().contains("E2E Tester"));
    assertEquals(
        List.of(c.getId()),
        containers().stream().map(Container::getId).toList(),
        "nothing changed");
  }

  @Test
  void agentWithAWrongJoinTokenIsRefused() throws Exception {
    awaitOneContainer("v1");
    String otherHost = hostId + "-x";
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try (HostAgent intruder =
        new HostAgent(
            new HostAgent.Settings(
                "127.0.0.1",
                server.agentPort(),
                otherHost,
                Map.of(),
                "wrong-token",
                DockerRuntime.DEFAULT_HOST,
                null,
                tmp.resolve("intruder"),
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                Map.of(TEST_LABEL, testId)))) {
      // The refusal is an absence: look once the server has answered the handshake with a refusal.
      await("the server refuses the handshake of " + otherHost)
          .atMost(CONVERGE)
          .until(() -> messages(logged).contains("refused agent host id \"" + otherHost + "\""));
      assertFalse(intruder.connected());
      assertTrue(server.agents().host(otherHost).isEmpty(), "a refused agent is not registered");
    } finally {
      root.detachAppender(logged);
    }
  }

  /** What was logged so far, read under the lock the appender appends under. */
  private static String messages(ListAppender<ILoggingEvent> logged) {
    synchronized (logged) {
      return logged.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .collect(Collectors.joining("\n"));
    }
  }

  @Test
  void apiRefusesRequestsWithoutTheAdminToken() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/v1/apps")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertTrue(response.body().contains("bearer token"), response.body());
  }

  // --- fixtures ----------------------------------------------------------------------------

  private String appYaml(String version, String state, String greeting) {
    return """
        # an app of the end-to-end test
        app: %s
        image: %s
        version: %s
        state: %s
        hosts: [%s]
        env:
          GREETING: %s
        command: ["sh", "-c", "mkdir -p /www && echo $GREETING > /www/index.html; httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]
        ports: ["%d:8080"]
        health:
          http: {port: 8080, path: /}
          interval: 1s
        """
        .formatted(app, image, version, state, hostId, greeting, webPort);
  }

  private void commit(String message, String yaml) throws Exception {
    Path file = repo.getRepository().getWorkTree().toPath().resolve("apps/" + app + ".yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    repo.add().addFilepattern(".").call();
    PersonIdent who = new PersonIdent("E2E Tester", "e2e@example.com");
    repo.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
  }

  private String head() throws IOException {
    return repo.getRepository().resolve("HEAD").name();
  }

  private ServerProcess startServer() throws Exception {
    GitRemote remote =
        new GitRemote(
            repo.getRepository().getWorkTree().toString(),
            "main",
            "",
            GitCredentials.fromEnvironment(Map.of()));
    return new ServerProcess(
        new ServerProcess.Settings(
            remote,
            tmp.resolve("server"),
            Duration.ofHours(1),
            "127.0.0.1",
            0,
            serverAgentPort(),
            Duration.ofSeconds(15),
            null));
  }

  /** The same agent port across a server restart, as a real deployment has. */
  private int agentPort;

  private int serverAgentPort() {
    if (agentPort == 0) agentPort = freePort();
    return agentPort;
  }

  private HostAgent startAgent(String joinToken) {
    return new HostAgent(
        new HostAgent.Settings(
            "127.0.0.1",
            serverAgentPort(),
            hostId,
            Map.of(),
            joinToken,
            DockerRuntime.DEFAULT_HOST,
            null,
            tmp.resolve("agent"),
            Duration.ofSeconds(1),
            Duration.ofMillis(300),
            Map.of(TEST_LABEL, testId)));
  }

  private void refresh() throws Exception {
    HttpResponse<String> response =
        http.send(
            authorized("/api/v1/refresh").POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, response.statusCode(), response.body());
  }

  private JsonNode api(String path) {
    try {
      HttpResponse<String> response =
          http.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the API shows the app Synced; on timeout the message says {@code why}. */
  private void awaitSynced(String why) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertEquals(
                    "Synced", appStatus().path("sync").asText(), () -> why + ": " + appStatus()));
  }

  private JsonNode appStatus() {
    return server == null ? JSON.nullNode() : api("/api/v1/apps/" + app);
  }

  private boolean hostConnected() {
    for (JsonNode h : api("/api/v1/hosts")) {
      if (hostId.equals(h.path("host").asText()))
        return "connected".equals(h.path("status").asText());
    }
    return false;
  }

  private HttpRequest.Builder authorized(String path) {
    return HttpRequest.newBuilder(URI.create(base() + path))
        .header("Authorization", "Bearer " + server.adminToken().reveal());
  }

  private String base() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  private List<Container> containers() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(TEST_LABEL, testId, "ogp.app", app))
        .exec();
  }

  /** Waits until exactly one container of the app runs at this version, and returns it. */
  private Container awaitOneContainer(String version) {
    return awaitOneRunning(
        app,
        version,
        CONVERGE,
        () ->
            "have "
                + containers().stream()
                    .map(c -> c.getLabels().get("ogp.version") + "/" + c.getState())
                    .toList()
                + "; api: "
                + appStatus());
  }

  private static String strip(String s) {
    return s == null ? null : s.strip();
  }

  /** The join token as an operator copies it from the server's data dir. */
  private static final class SecretTokenFile {
    static String read(ServerProcess server) throws IOException {
      return Files.readString(server.joinTokenFile()).strip();
    }
  }
}
