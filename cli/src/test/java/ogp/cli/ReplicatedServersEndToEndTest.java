package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ogp.agent.HostAgent;
import ogp.agent.replicas.ServerAddress;
import ogp.agent.runtime.DockerRuntime;
import ogp.cluster.EtcdTestCluster;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;

/**
 * Two {@code ogp server --etcd} replicas as separate processes on a real three-member etcd, one
 * real agent listing both on the real Docker engine, and a real Git repository: the app converges
 * under the first leader; both replicas show the same leader and epoch; the standby redirects a
 * write with 307 and {@code ogp} commands against it succeed; SIGTERM of the leader lets the
 * standby lead within 2 s, the agent follows it, nothing is restarted, and a new commit deploys.
 */
class ReplicatedServersEndToEndTest extends FaultTest {
  private static final HttpClient NO_REDIRECTS =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @Test
  void aStandbyRedirectsAndTakesOverOnSigtermWithoutRestartingAContainer() throws Exception {
    EtcdTestCluster etcd = closeAfterTest(EtcdTestCluster.startNew(3));
    String image = localImage("v1");
    localImage("v2");
    TestRepo repo = repoWithApp(image, QUICK_STOP);
    Replica a = new Replica("a", freePort(), freePort());
    Replica b = new Replica("b", freePort(), freePort());

    JavaProcess processA = a.start(etcd, repo);
    await("a leads").atMost(CONVERGE).until(() -> "a".equals(leaderSeenBy(a, a.adminToken())));
    String admin = a.adminToken();
    JavaProcess processB = b.start(etcd, repo);
    await("b stands by and sees a lead")
        .atMost(CONVERGE)
        .until(() -> "a".equals(leaderSeenBy(b, admin)));

    HostAgent agent =
        closeAfterTest(
            new HostAgent(
                new HostAgent.Settings(
                        "127.0.0.1",
                        a.agentPort,
                        hostId,
                        Map.of(),
                        Files.readString(a.dataDir.resolve(SecretToken.JOIN_TOKEN_FILE)).strip(),
                        DockerRuntime.DEFAULT_HOST,
                        null,
                        tmp.resolve("agent"),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(300),
                        Map.of(TEST_LABEL, testId))
                    .withServers(
                        List.of(
                            new ServerAddress("127.0.0.1", b.agentPort),
                            new ServerAddress("127.0.0.1", a.agentPort)))));
    Api apiA = new Api(a.url(), admin);
    Container v1 = awaitConverged(apiA, "v1", repo.head());
    String v1StartedAt = startedAt(v1.getId());

    // Both replicas tell the same leader and epoch.
    JsonNode fromA = apiA.get("/api/v1/cluster");
    JsonNode fromB = new Api(b.url(), admin).get("/api/v1/cluster");
    assertEquals("replicated", fromA.path("mode").asText(), fromA.toString());
    assertEquals(fromA.path("leader"), fromB.path("leader"), fromB.toString());
    assertTrue(fromA.path("epoch").asLong() > 0, fromA.toString());
    assertEquals(fromA.path("epoch"), fromB.path("epoch"));
    assertEquals("b", fromB.path("self").asText());
    assertEquals(2, fromB.path("members").size(), fromB.toString());

    // Every replica tells its part in /metrics.
    assertTrue(commanding(a), "ogp_leader 1 on the leader");
    String standbyMetrics = httpGet(b.url() + "/metrics");
    assertTrue(standbyMetrics.contains("ogp_leader 0.0"), standbyMetrics);
    assertTrue(standbyMetrics.contains("ogp_leader_changes_total 1.0"), standbyMetrics);
    assertTrue(standbyMetrics.contains("ogp_fenced_commands_total 0.0"), standbyMetrics);

    // The standby sends a write to the leader, with its path and query ...
    HttpResponse<String> redirected =
        NO_REDIRECTS.send(
            HttpRequest.newBuilder(URI.create(b.url() + "/api/v1/refresh?why=test"))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(307, redirected.statusCode(), redirected.body());
    assertEquals(
        a.url() + "/api/v1/refresh?why=test", redirected.headers().firstValue("Location").get());
    // ... and ogp's commands against the standby follow it.
    OgpRun refresh = ogp("refresh", "--server", b.url(), "--token", admin);
    assertEquals(0, refresh.exit(), refresh.err());
    OgpRun status = ogp("status", "--server", b.url(), "--token", admin);
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains(app), status.out());
    OgpRun cluster = ogp("cluster", "--server", b.url(), "--token", admin);
    assertEquals(0, cluster.exit(), cluster.err());
    assertTrue(cluster.out().contains("answered   by b"), cluster.out());

    // SIGTERM: the leader stops commanding, resigns, and the standby leads at once.
    long epochBefore = fromA.path("epoch").asLong();
    processA.terminate();
    long terminatedAt = System.nanoTime();
    try {
      await("b's server leads and may command within 2 s of the leader's SIGTERM")
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> commanding(b));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      await().atMost(CONVERGE).until(() -> commanding(b));
      throw new AssertionError(
          "b commanded only "
              + msSince(terminatedAt)
              + " ms after the SIGTERM:\n"
              + processB.output()
              + "\n---- a:\n"
              + processA.output(),
          e);
    }
    long takeoverMs = msSince(terminatedAt);
    // 143: the JVM's exit after SIGTERM once its shutdown hooks are done (not a SIGKILL's 137).
    assertEquals(143, processA.exitWithin(Duration.ofSeconds(20)).orElse(-1), processA.output());
    assertTrue(processA.output().contains("resigned at epoch"), processA.output());
    Api apiB = new Api(b.url(), admin);
    JsonNode after = apiB.get("/api/v1/cluster");
    assertTrue(after.path("epoch").asLong() > epochBefore, after.toString());
    await("the agent reconnects to the new leader")
        .atMost(CONVERGE)
        .until(() -> "connected".equals(apiB.hostStatus(hostId)));
    long reconnectMs = msSince(terminatedAt);
    assertFalse(
        apiB.events("LeaderElected", e -> e.path("message").asText().startsWith("b leads at epoch"))
            .isEmpty(),
        "the new leader records its election");
    awaitAppStatus(apiB, "/sync", "Synced", "the new leader finds the fleet as it was:");
    List<Container> kept = running();
    assertEquals(1, kept.size(), describe());
    assertEquals(v1.getId(), kept.get(0).getId(), "the same container: " + describe());
    assertEquals(v1StartedAt, startedAt(v1.getId()), "not restarted by the failover");

    // A new commit deploys through the new leader.
    OgpRun deploy = ogp("set-image", app, "v2", "--server", b.url(), "--token", admin);
    assertEquals(0, deploy.exit(), deploy.err());
    String v2 = deploy.out().strip();
    awaitConverged(apiB, "v2", v2);
    assertTrue(processB.alive(), processB.output());
    System.out.printf(
        "REPLICAS graceful failover: b leads %d ms after SIGTERM, the agent is back %d ms after%n",
        takeoverMs, reconnectMs);
  }

  /** Whether the replica's own server runs and may command ({@code ogp_leader 1} on it). */
  private static boolean commanding(Replica replica) {
    String metrics = httpGet(replica.url() + "/metrics");
    return metrics != null && metrics.lines().anyMatch(l -> l.equals("ogp_leader 1.0"));
  }

  /** The leader's id as {@code replica} reports it, or null while it does not answer. */
  private static String leaderSeenBy(Replica replica, String token) {
    JsonNode cluster = new Api(replica.url(), token).tryGet("/api/v1/cluster");
    return cluster.path("leader").path("id").isTextual()
        ? cluster.path("leader").path("id").asText()
        : null;
  }

  /** One replica: its ports and data dir, started as its own {@code ogp server} process. */
  private final class Replica {
    final String id;
    final int httpPort;
    final int agentPort;
    final Path dataDir;

    Replica(String id, int httpPort, int agentPort) {
      this.id = id;
      this.httpPort = httpPort;
      this.agentPort = agentPort;
      this.dataDir = tmp.resolve("replica-" + id);
    }

    String url() {
      return "http://127.0.0.1:" + httpPort;
    }

    String adminToken() throws Exception {
      Path file = dataDir.resolve(SecretToken.ADMIN_TOKEN_FILE);
      return Files.exists(file) ? Files.readString(file).strip() : "";
    }

    JavaProcess start(EtcdTestCluster etcd, TestRepo repo) throws Exception {
      JavaProcess process =
          closeAfterTest(
              JavaProcess.ogp(
                  tmp.resolve("replica-" + id + ".log"),
                  "server",
                  "--repo",
                  repo.path().toString(),
                  "--branch",
                  "main",
                  "--poll",
                  "1h",
                  "--bind",
                  "127.0.0.1",
                  "--http-port",
                  Integer.toString(httpPort),
                  "--agent-port",
                  Integer.toString(agentPort),
                  "--data-dir",
                  dataDir.toString(),
                  "--etcd",
                  etcd.flag(),
                  "--member-id",
                  id));
      await("replica " + id + " answers")
          .atMost(CONVERGE)
          .untilAsserted(
              () ->
                  assertNotNull(
                      httpGet(url() + "/healthz"),
                      () -> "replica " + id + ": " + process.output()));
      return process;
    }
  }
}
