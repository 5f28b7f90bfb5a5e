package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.PushResponseItem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RealDockerTest;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry logins of the agent against a real registry that requires them: a private {@code
 * docker-registry} with htpasswd authentication, started by the test on its own port. Wrong
 * credentials and a registry that is down each leave the running version in place with the
 * registry's message in the API; the right credentials pull and run the new version.
 */
class RegistryAuthEndToEndTest extends RealDockerTest {
  @TempDir Path tmp;
  private Process registry;
  private int registryPort;

  @AfterEach
  void stopRegistry() {
    if (registry != null) registry.destroyForcibly();
  }

  @Test
  void agentPullsWithItsLoginAndReportsWrongCredentialsAndADownRegistryWhileKeepingTheOldVersion()
      throws Exception {
    startRegistry();
    String repository = "127.0.0.1:" + registryPort + "/ogp-test-" + testId + "/app";
    push(repository, "1");
    push(repository, "2");
    String hostId = "h-" + app;
    Path repo = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      commit(git, repository, "1", hostId);
      GitRemote remote =
          new GitRemote(repo.toString(), "main", "", GitCredentials.fromEnvironment(Map.of()));
      Path goodLogin = login("ci", "right-password");
      Path badLogin = login("ci", "wrong-password");
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
                  null))) {
        // Wrong credentials: nothing can be pulled, the registry's refusal is visible.
        try (HostAgent agent = agent(server, hostId, badLogin)) {
          await()
              .atMost(Duration.ofSeconds(60))
              .untilAsserted(
                  () ->
                      assertTrue(
                          lastError(server).toLowerCase().contains("unauthorized")
                              || lastError(server)
                                  .toLowerCase()
                                  .contains("authentication required"),
                          () -> "the registry's refusal shows in the API: " + status(server)));
          assertTrue(containers().isEmpty());
        }
        // The right login: version 1 is pulled and runs.
        try (HostAgent agent = agent(server, hostId, goodLogin)) {
          awaitRunning("1");
          removeAfterTest(repository + ":1");
          // The registry goes down; version 2 cannot be pulled and version 1 keeps running.
          registry.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          String before = containers().get(0).getId();
          commit(git, repository, "2", hostId);
          await()
              .atMost(Duration.ofSeconds(60))
              .untilAsserted(
                  () ->
                      assertTrue(
                          lastError(server).contains("connection refused")
                              || lastError(server).contains(String.valueOf(registryPort)),
                          () -> "the unreachable registry shows in the API: " + status(server)));
          assertEquals("Degraded", status(server).path("health").asText());
          assertEquals(List.of(before), containers().stream().map(Container::getId).toList());
          assertEquals("running", containers().get(0).getState());
          // Back up: the periodic re-converge pulls version 2 and replaces the container.
          startRegistry(registryPort);
          awaitRunning("2");
          removeAfterTest(repository + ":2");
        }
      }
    }
  }

  /**
   * The host's agent, restarted with another registry login: one data dir, as on a real host, so it
   * keeps its host key and with it the host id it is bound to.
   */
  private HostAgent agent(ServerProcess server, String hostId, Path login) {
    return new HostAgent(
        new HostAgent.Settings(
            "127.0.0.1",
            server.agentPort(),
            hostId,
            Map.of(),
            server.joinToken().reveal(),
            DockerRuntime.DEFAULT_HOST,
            login,
            tmp.resolve("agent"),
            Duration.ofSeconds(1),
            Duration.ofMillis(300),
            Map.of(TEST_LABEL, testId)));
  }

  private void startRegistry() throws Exception {
    startRegistry(freePort());
  }

  /** docker-registry with htpasswd authentication (user ci), storage kept across restarts. */
  private void startRegistry(int port) throws Exception {
    registryPort = port;
    Path dir = tmp.resolve("registry");
    Files.createDirectories(dir.resolve("data"));
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Files.writeString(
        dir.resolve("htpasswd"),
        "ci:" + OpenBSDBCrypt.generate("2y", "right-password".toCharArray(), salt, 6) + "\n");
    Files.writeString(
        dir.resolve("config.yml"),
        """
        version: 0.1
        log: {level: warn}
        storage:
          filesystem: {rootdirectory: %s}
        http:
          addr: 127.0.0.1:%d
        auth:
          htpasswd: {realm: ogp-test, path: %s}
        """
            .formatted(dir.resolve("data"), port, dir.resolve("htpasswd")));
    registry =
        new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    await("the test registry listens on " + port)
        .atMost(Duration.ofSeconds(20))
        .until(() -> registryAnswers(port));
  }

  private static boolean registryAnswers(int port) {
    try {
      int code =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      return code == 401; // it answers, and it wants a login
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void push(String repository, String tag) throws InterruptedException {
    docker.tagImageCmd(BASE_IMAGE, repository, tag).exec();
    AuthConfig auth =
        new AuthConfig()
            .withUsername("ci")
            .withPassword("right-password")
            .withRegistryAddress("127.0.0.1:" + registryPort);
    assertTrue(
        docker
            .pushImageCmd(repository)
            .withTag(tag)
            .withAuthConfig(auth)
            .exec(new ResultCallback.Adapter<PushResponseItem>())
            .awaitCompletion(60, TimeUnit.SECONDS),
        "push finishes");
    docker
        .removeImageCmd(repository + ":" + tag)
        .withNoPrune(true)
        .exec(); // the agent must pull it
  }

  /** A Docker config.json-style login file for the test registry. */
  private Path login(String user, String password) throws IOException {
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return Files.writeString(
        tmp.resolve("login-" + password + ".json"),
        "{\"auths\": {\"127.0.0.1:" + registryPort + "\": {\"auth\": \"" + auth + "\"}}}");
  }

  private void commit(Git git, String repository, String version, String hostId) throws Exception {
    Path file = git.getRepository().getWorkTree().toPath().resolve("apps/" + app + ".yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        app: %s
        image: %s
        version: "%s"
        hosts: [%s]
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
        """
            .formatted(app, repository, version, hostId));
    git.add().addFilepattern(".").call();
    PersonIdent who = new PersonIdent("Tester", "t@example.com");
    git.commit().setMessage("Version " + version).setAuthor(who).setCommitter(who).call();
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

  private JsonNode status(ServerProcess server) {
    return FaultTest.Api.of(server).app(app);
  }

  private String lastError(ServerProcess server) {
    JsonNode hosts = status(server).path("hosts");
    return hosts.isEmpty() ? "" : hosts.get(0).path("lastError").asText("");
  }
}
