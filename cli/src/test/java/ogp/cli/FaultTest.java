package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RealDockerTest;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the fault-injection tests: the test's app on the real engine, the server's API, a sampler
 * that watches the app's containers during the whole fault, and the printed timings that
 * docs/reliability.md quotes. Processes a test starts are killed after it.
 */
abstract class FaultTest extends RealDockerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** How long any convergence may take; a container stop alone can take the 10 s stop grace. */
  static final Duration CONVERGE = Duration.ofSeconds(60);

  /**
   * PID 1 without a SIGTERM handler ignores SIGTERM, so stopping this container takes the agent's
   * whole 10 s stop grace: a replacement that stays "in the middle" long enough to inject a fault.
   */
  static final String SLOW_STOP = "[\"sleep\", \"3600\"]";

  /** Exits at once on SIGTERM. */
  static final String QUICK_STOP = "[\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 3600 & wait\"]";

  @TempDir Path tmp;
  protected final String hostId = "h-" + app;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Sampler sampler;

  @AfterEach
  void stopWhatTheFaultTestStarted() throws Exception {
    if (sampler != null) sampler.stop();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        System.err.println("cleanup: " + e);
      }
    }
  }

  /** Closed after the test, in reverse order, also when it failed. */
  protected <T extends AutoCloseable> T closeAfterTest(T resource) {
    toClose.add(resource);
    return resource;
  }

  protected String appYaml(String image, String version, String command) {
    return """
        app: %s
        image: %s
        version: "%s"
        hosts: [%s]
        command: %s
        """
        .formatted(app, image, version, hostId, command);
  }

  protected String appFile() {
    return "apps/" + app + ".yaml";
  }

  /** The desired-state repository of the test, with the app placed at v1 of {@code image}. */
  protected TestRepo repoWithApp(String image, String command) {
    TestRepo repo = closeAfterTest(TestRepo.create(tmp.resolve("repo")));
    repo.commit("Place " + app, Map.of(appFile(), appYaml(image, "v1", command)));
    return repo;
  }

  /** Commits {@code version} of the app (stopping quickly) and returns the commit. */
  protected String commitVersion(TestRepo repo, String image, String version) {
    return repo.commit("Deploy " + version, Map.of(appFile(), appYaml(image, version, QUICK_STOP)));
  }

  // --- server and agent in this JVM ------------------------------------------------------

  /** A server in this JVM following {@code repo} (a path or file:// URL), refreshed by the test. */
  protected ServerProcess startServer(String repo, int agentPort, Duration lostGrace)
      throws Exception {
    return startServer(
        new GitRemote(repo, "main", "", GitCredentials.fromEnvironment(Map.of())),
        Duration.ofHours(1),
        agentPort,
        lostGrace);
  }

  protected ServerProcess startServer(
      GitRemote remote, Duration poll, int agentPort, Duration lostGrace) throws Exception {
    return closeAfterTest(
        new ServerProcess(
            new ServerProcess.Settings(
                remote, tmp.resolve("server"), poll, "127.0.0.1", 0, agentPort, lostGrace, null)));
  }

  /**
   * An agent in this JVM on the real engine, scoped to this test's containers; re-converges every
   * second.
   */
  protected HostAgent startAgent(int serverPort, String joinToken) {
    return closeAfterTest(
        new HostAgent(
            new HostAgent.Settings(
                "127.0.0.1",
                serverPort,
                hostId,
                Map.of(),
                joinToken,
                DockerRuntime.DEFAULT_HOST,
                null,
                tmp.resolve("agent"),
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                Map.of(TEST_LABEL, testId))));
  }

  // --- the app's containers --------------------------------------------------------------

  protected List<Container> containers() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(TEST_LABEL, testId, "ogp.app", app))
        .exec();
  }

  protected List<Container> running() {
    return containers().stream().filter(c -> "running".equals(c.getState())).toList();
  }

  protected String describe() {
    return containers().stream()
        .map(
            c ->
                c.getLabels().get("ogp.version")
                    + "/"
                    + c.getState()
                    + "/"
                    + c.getId().substring(0, 12))
        .toList()
        .toString();
  }

  /** Waits until exactly one container of the app exists, runs, and has this version. */
  protected Container awaitOneRunning(String version) {
    return awaitOneRunning(app, version, CONVERGE, () -> "have " + describe());
  }

  /**
   * Waits until the app runs only {@code version}, created for {@code revision}, and the API shows
   * it Synced: the end of every fault.
   */
  protected Container awaitConverged(Api api, String version, String revision) {
    Container last = awaitOneRunning(version);
    assertEquals(revision, last.getLabels().get("ogp.revision"), "converged to the last commit");
    awaitAppStatus(api, "/sync", "Synced", "Synced:");
    return last;
  }

  /**
   * Waits until the app's status reads {@code expected} at {@code pointer} (a JSON pointer such as
   * {@code /health} or {@code /rollout/phase}); on timeout the message names {@code why} and shows
   * the status.
   */
  protected void awaitAppStatus(Api api, String pointer, String expected, String why) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertEquals(
                    expected, api.app(app).at(pointer).asText(), () -> why + " " + api.app(app)));
  }

  protected String startedAt(String containerId) {
    return inspect(containerId).getState().getStartedAt();
  }

  /**
   * Samples the app's containers every 50 ms until the test ends: the most that ever ran at once,
   * so "never two containers of one instance running" is checked across the whole fault.
   */
  protected Sampler sample() {
    sampler = new Sampler();
    return sampler;
  }

  final class Sampler {
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final Set<String> versionsSeenRunning = ConcurrentHashMap.newKeySet();
    private volatile boolean stop;
    private final Thread thread;

    Sampler() {
      thread =
          new Thread(
              () -> {
                while (!stop) {
                  try {
                    List<Container> now = running();
                    maxRunning.accumulateAndGet(now.size(), Math::max);
                    now.forEach(c -> versionsSeenRunning.add(c.getLabels().get("ogp.version")));
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    // the engine may be briefly unreachable during a fault: sample again
                  }
                }
              },
              "container-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    /** No sample saw two containers of the app's one instance running at once. */
    void assertNeverTwoRunning() {
      assertTrue(
          maxRunning.get() <= 1,
          "never two containers of the instance running; the most at once: " + maxRunning.get());
    }

    Set<String> versionsSeenRunning() {
      return Set.copyOf(versionsSeenRunning);
    }

    void stop() throws InterruptedException {
      stop = true;
      thread.join(5_000);
    }
  }

  // --- the server's API --------------------------------------------------------------------

  /** The HTTP API of a server, with its admin token. */
  record Api(String base, String token) {
    private static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static Api of(ServerProcess server) {
      return new Api("http://127.0.0.1:" + server.httpPort(), server.adminToken().reveal());
    }

    /** The API of a server process, with the admin token an operator reads from its data dir. */
    static Api of(int httpPort, Path dataDir) throws IOException {
      return new Api(
          "http://127.0.0.1:" + httpPort,
          Files.readString(dataDir.resolve(SecretToken.ADMIN_TOKEN_FILE)).strip());
    }

    HttpResponse<String> send(String method, String path, String body) {
      return send(method, path, body, Duration.ofSeconds(30));
    }

    HttpResponse<String> send(String method, String path, String body, Duration timeout) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(timeout)
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      try {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException(method + " " + path + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    JsonNode get(String path) {
      try {
        return JSON.readTree(send("GET", path, null).body());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** GET, or a missing node while nothing answers (e.g. the server process is down). */
    JsonNode tryGet(String path) {
      try {
        return get(path);
      } catch (IllegalStateException e) {
        return JSON.missingNode();
      }
    }

    void refresh() {
      HttpResponse<String> r = send("POST", "/api/v1/refresh", null);
      assertTrue(r.statusCode() == 202, "refresh accepted: " + r.statusCode() + " " + r.body());
    }

    JsonNode app(String app) {
      return tryGet("/api/v1/apps/" + app);
    }

    String hostStatus(String hostId) {
      for (JsonNode h : tryGet("/api/v1/hosts")) {
        if (hostId.equals(h.path("host").asText())) return h.path("status").asText();
      }
      return "";
    }

    /** Events with this reason that match {@code which}, oldest first. */
    List<JsonNode> events(String reason, Predicate<JsonNode> which) {
      List<JsonNode> found = new ArrayList<>();
      for (JsonNode e : tryGet("/api/v1/events?limit=1000").path("items")) {
        if (reason.equals(e.path("reason").asText()) && which.test(e)) found.add(e);
      }
      return found;
    }
  }

  // --- timings -----------------------------------------------------------------------------

  /** Milliseconds since a {@link System#nanoTime()}. */
  static long msSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /**
   * One line per fault, in the shape docs/reliability.md quotes. "Containers lost 0" is not counted
   * here: a test reaches this line only when its assertions found nothing lost.
   */
  static void report(String fault, long detectMs, long convergeMs) {
    System.out.printf(
        "FAULT %s: time to detect %d ms, time to converge %d ms, containers lost 0%n",
        fault, detectMs, convergeMs);
  }
}
