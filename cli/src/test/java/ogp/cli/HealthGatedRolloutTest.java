package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.OgpLabels;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Health-gated rollouts (SPEC §2 {@code update}) end to end: the server in this JVM, three agents
 * (three hosts sharing the real engine, each scoped to its own containers) and an app with an HTTP
 * health check on all three. A sampler reads the API every 100 ms during the whole test, so "never
 * more than maxParallel hosts between the old version and healthy on the new one" is checked at
 * every moment, not only at the end.
 */
class HealthGatedRolloutTest extends FaultTest {
  private static final List<String> HOSTS = List.of("r1", "r2", "r3");
  private static final String SERVES =
      "[\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/index.html; httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait\"]";
  private static final String SERVES_NOTHING = QUICK_STOP;

  private TestRepo repo;
  private volatile Api api;
  private int agentPort;
  private String image;
  private final List<Map<String, String>> samples = new ArrayList<>();
  private final AtomicBoolean sampling = new AtomicBoolean(true);
  private Thread sampler;
  private ServerProcess server;

  @BeforeEach
  void threeHostsRunV1Healthy() throws Exception {
    image = localImage("v1");
    localImage("v2");
    localImage("v3");
    repo = closeAfterTest(TestRepo.create(tmp.resolve("repo")));
  }

  private void start(boolean autoRollback) throws Exception {
    repo.commit("Place " + app, Map.of(appFile(), yaml("v1", SERVES, autoRollback)));
    agentPort = freePort();
    ServerProcess server = startServer(repo.path().toString(), agentPort, Duration.ofSeconds(15));
    api = Api.of(server);
    this.server = server;
    String token = java.nio.file.Files.readString(server.joinTokenFile()).strip();
    for (String host : HOSTS) {
      closeAfterTest(
          new HostAgent(
              new HostAgent.Settings(
                  "127.0.0.1",
                  agentPort,
                  host,
                  Map.of(),
                  token,
                  DockerRuntime.DEFAULT_HOST,
                  null,
                  tmp.resolve("agent-" + host),
                  Duration.ofSeconds(1),
                  Duration.ofMillis(300),
                  Map.of(TEST_LABEL, testId, OgpLabels.SCOPE_HOST, host))));
    }
    awaitAllHealthyOn("v1");
    sampler = new Thread(this::sampleUntilStopped, "rollout-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  @AfterEach
  void stopSampling() throws InterruptedException {
    sampling.set(false);
    if (sampler != null) sampler.join(5_000);
  }

  @Test
  void newVersionRollsOutOneHostAtATimeEachHealthyBeforeTheNext() throws Exception {
    start(false);

    repo.commit("Deploy v2", Map.of(appFile(), yaml("v2", SERVES, false)));
    api.refresh();
    awaitAllHealthyOn("v2");
    awaitAppStatus(api, "/rollout/phase", "Complete", "the rollout completes:");

    assertAtMostOneHostInTransition();
    assertTrue(
        sampled(s -> count(s, "v2 healthy") == 1 && count(s, "v1 healthy") == 2),
        "a moment with one host updated and two still on v1 was seen: " + samplesText());
    assertTrue(
        sampled(s -> count(s, "v2 healthy") == 2 && count(s, "v1 healthy") == 1),
        "a moment with two hosts updated and one still on v1 was seen: " + samplesText());
  }

  @Test
  void failingVersionStopsTheRolloutWithTheOtherHostsStillOnTheOldVersion() throws Exception {
    start(false);

    String broken =
        repo.commit(
            "Deploy v2 that serves nothing", Map.of(appFile(), yaml("v2", SERVES_NOTHING, false)));
    api.refresh();
    awaitAppStatus(api, "/rollout/phase", "Failed", "the rollout fails:");
    JsonNode rollout = api.app(app).path("rollout");
    assertEquals(1, rollout.path("failed").size(), rollout.toString());
    assertEquals(2, rollout.path("waiting").size(), rollout.toString());
    assertEquals(
        2, runningVersions().getOrDefault("v1", 0), "two hosts still run v1: " + describe());
    List<JsonNode> failed =
        api.events("RolloutFailed", e -> broken.equals(e.path("revision").asText()));
    assertEquals(1, failed.size(), "one RolloutFailed event for the revision");
    assertTrue(
        failed.get(0).path("message").asText().contains("not healthy within 5s"),
        failed.toString());
    assertEquals(broken, repo.head(), "no automatic rollback without autoRollback");

    // An operator's fix starts a new rollout: the failed host and then the others reach v3.
    repo.commit("Deploy v3", Map.of(appFile(), yaml("v3", SERVES, false)));
    api.refresh();
    awaitAllHealthyOn("v3");

    assertTrue(
        alwaysSampled(s -> count(s, "v2") <= 1),
        "v2 never ran on more than the one host it failed on: " + samplesText());
  }

  @Test
  void failingVersionWithAutoRollbackIsRevertedOnceByOgpAndTheFleetReturnsToTheOldVersion()
      throws Exception {
    start(true);

    String broken =
        repo.commit(
            "Deploy v2 that serves nothing", Map.of(appFile(), yaml("v2", SERVES_NOTHING, true)));
    long start = System.nanoTime();
    api.refresh();
    await("the server commits a revert").atMost(CONVERGE).until(() -> !repo.head().equals(broken));
    long detectMs = msSince(start);
    RevCommit revert = commit(repo.head());
    assertEquals("Revert \"Deploy v2 that serves nothing\"", revert.getShortMessage());
    assertEquals("ogp", revert.getAuthorIdent().getName());
    assertTrue(
        revert.getFullMessage().contains("This reverts commit " + broken + "."),
        revert.getFullMessage());
    assertTrue(
        revert
            .getFullMessage()
            .contains("Automatic rollback: " + app + " version v2 was not healthy within 5s"),
        revert.getFullMessage());
    assertTrue(revert.getFullMessage().contains("Ogp-Actor: ogp"), revert.getFullMessage());

    awaitAllHealthyOn("v1");
    long convergeMs = msSince(start);
    awaitAppStatus(api, "/rollout/phase", "Complete", "the rollback's rollout completes:");
    List<JsonNode> rollbacks =
        api.events("RollbackCommitted", e -> revert.getName().equals(e.path("revision").asText()));
    assertEquals(1, rollbacks.size(), "one RollbackCommitted event");
    assertTrue(
        rollbacks.get(0).path("message").asText().contains("not healthy within 5s"),
        rollbacks.toString());
    assertEquals(
        revert.getName(), repo.head(), "reverted once, nothing committed after the revert");
    assertTrue(
        alwaysSampled(s -> count(s, "v2") <= 1), "v2 ran on one host at most: " + samplesText());
    report(
        "failing version with autoRollback (revert committed / fleet back on v1)",
        detectMs,
        convergeMs);
  }

  @Test
  void serverRestartedMidRolloutKeepsGatingFromAgentReportsAndCompletes() throws Exception {
    start(false);
    String slowStart =
        "[\"sh\", \"-c\", \"sleep 2; mkdir -p /www && echo ok > /www/index.html; httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait\"]";

    repo.commit("Deploy v2", Map.of(appFile(), yaml("v2", slowStart, false)));
    api.refresh();
    await("one host updated")
        .atMost(CONVERGE)
        .until(
            this::hostStates,
            states -> count(states, "v2 healthy") == 1 && count(states, "v1 healthy") == 2);
    server.close();
    // A new server process on the same data dir and agent port: it knows nothing but Git and what
    // agents report.
    server = startServer(repo.path().toString(), agentPort, Duration.ofSeconds(15));
    api = Api.of(server);
    awaitAllHealthyOn("v2");
    awaitAppStatus(api, "/rollout/phase", "Complete", "the rollout completes after the restart:");

    assertAtMostOneHostInTransition();
  }

  // --- fixtures ----------------------------------------------------------------------------

  private String yaml(String version, String command, boolean autoRollback) {
    return """
        app: %s
        image: %s
        version: "%s"
        hosts: [%s]
        command: %s
        health:
          http: {port: 8080, path: /}
          interval: 1s
          timeout: 1s
          retries: 2
          startPeriod: 1s
        update:
          maxParallel: 1
          healthyDeadline: 5s
          autoRollback: %s
        """
        .formatted(app, image, version, String.join(", ", HOSTS), command, autoRollback);
  }

  /**
   * Per host, "v1 healthy", "v2 starting", "none", ... as the API shows it now; empty while the
   * server does not know every host (it is down, or an agent has not reported to it yet).
   */
  private Map<String, String> hostStates() {
    Map<String, String> states = new HashMap<>();
    HOSTS.forEach(h -> states.put(h, "none"));
    JsonNode status = api.app(app);
    if (status.path("hosts").size() != HOSTS.size()) return Map.of();
    for (JsonNode h : status.path("hosts")) {
      if ("Unknown".equals(h.path("sync").asText())) return Map.of();
    }
    for (JsonNode h : status.path("hosts")) {
      JsonNode running = null;
      for (JsonNode c : h.path("containers")) {
        if ("running".equals(c.path("state").asText())) running = c;
      }
      if (running != null)
        states.put(
            h.path("host").asText(),
            running.path("version").asText() + " " + running.path("health").asText());
    }
    return states;
  }

  private void sampleUntilStopped() {
    while (sampling.get()) {
      try {
        Map<String, String> s = hostStates();
        if (!s.isEmpty()) {
          synchronized (samples) {
            samples.add(s);
          }
        }
        Thread.sleep(100); // a sampling period, not a wait for an outcome
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // the API may be briefly busy: sample again
      }
    }
  }

  private void awaitAllHealthyOn(String version) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Map<String, String> now = hostStates();
              assertTrue(
                  !now.isEmpty() && now.values().stream().allMatch((version + " healthy")::equals),
                  () ->
                      "all hosts healthy on "
                          + version
                          + ": "
                          + now
                          + " "
                          + api.app(app).path("rollout"));
            });
  }

  /** Hosts in a state that starts with {@code prefix}, e.g. "v2" or "v2 healthy". */
  private static int count(Map<String, String> sample, String prefix) {
    return (int)
        sample.values().stream()
            .filter(s -> s.equals(prefix) || s.startsWith(prefix + " "))
            .count();
  }

  private boolean sampled(java.util.function.Predicate<Map<String, String>> moment) {
    synchronized (samples) {
      return samples.stream().anyMatch(moment);
    }
  }

  /**
   * Every sample so far satisfies {@code condition}; read under the lock the sampler appends with.
   */
  private boolean alwaysSampled(java.util.function.Predicate<Map<String, String>> condition) {
    synchronized (samples) {
      return samples.stream().allMatch(condition);
    }
  }

  /** maxParallel 1: at every sample at most one host is neither healthy on v1 nor healthy on v2. */
  private void assertAtMostOneHostInTransition() {
    synchronized (samples) {
      for (Map<String, String> s : samples) {
        long between =
            s.values().stream()
                .filter(v -> !v.equals("v1 healthy") && !v.equals("v2 healthy"))
                .count();
        assertTrue(between <= 1, "at most one host between versions, but: " + s);
      }
      assertTrue(samples.size() > 10, "the sampler ran: " + samples.size());
    }
  }

  private String samplesText() {
    synchronized (samples) {
      List<Map<String, String>> distinct = new ArrayList<>();
      for (Map<String, String> s : samples) {
        if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(s))
          distinct.add(new java.util.TreeMap<>(s));
      }
      return distinct.toString();
    }
  }

  private Map<String, Integer> runningVersions() {
    Map<String, Integer> versions = new HashMap<>();
    for (Container c : running()) versions.merge(c.getLabels().get("ogp.version"), 1, Integer::sum);
    return versions;
  }

  private RevCommit commit(String sha) throws Exception {
    try (org.eclipse.jgit.revwalk.RevWalk walk =
        new org.eclipse.jgit.revwalk.RevWalk(repo.repository())) {
      return walk.parseCommit(repo.repository().resolve(sha));
    }
  }
}
