package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
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
import ogp.cluster.EtcdTestCluster;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas secure by default (bound beyond loopback, no TLS flag) on a real three-member etcd:
 * the second takes the first's CA from etcd instead of making its own, so its HTTPS certificate is
 * trusted with the first's {@code ca.crt}; a client command against the standby follows the
 * redirect to the leader over HTTPS, and a webhook posted to the standby is relayed to the leader
 * over HTTPS (the leader's own answer comes back, not a 503).
 */
class ReplicatedSecureDefaultTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  @Test
  void aSecondReplicaTakesTheClustersCaAndTheStandbyRedirectsAndRelaysOverHttps() throws Exception {
    EtcdTestCluster etcd = EtcdTestCluster.startNew(3);
    toClose.add(etcd);
    Path repo = tmp.resolve("repo");
    try (TestRepo r = TestRepo.create(repo)) {
      r.commit("empty", Map.of("apps/README.yaml", "# nothing yet\n"));
    }
    int httpA = freePort();
    int httpB = freePort();
    Path dataA = tmp.resolve("a");
    Path dataB = tmp.resolve("b");
    start("a", dataA, httpA, etcd, repo);
    Path ca = dataA.resolve("pki").resolve("ca.crt");
    Path adminToken = dataA.resolve("admin-token");
    await("a makes the cluster's CA").atMost(Duration.ofSeconds(60)).until(() -> Files.exists(ca));
    HttpClient https = HttpClient.newBuilder().sslContext(ServerTrust.trusting(ca)).build();
    await("a leads")
        .atMost(Duration.ofSeconds(60))
        .until(() -> "a".equals(leader(https, httpA, adminToken)));

    start("b", dataB, httpB, etcd, repo);
    await("b stands by over HTTPS with a certificate of a's CA")
        .atMost(Duration.ofSeconds(60))
        .until(() -> "a".equals(leader(https, httpB, adminToken)));
    assertArrayEquals(
        Files.readAllBytes(ca),
        Files.readAllBytes(dataB.resolve("pki").resolve("ca.crt")),
        "one CA for the cluster");

    OgpRun status =
        ogp(
            "status",
            "--server",
            "https://127.0.0.1:" + httpB,
            "--ca-file",
            ca.toString(),
            "--token-file",
            adminToken.toString());
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().startsWith("revision "), status.out());

    HttpResponse<String> direct = webhook(https, httpA);
    HttpResponse<String> relayed = webhook(https, httpB);
    assertEquals(401, direct.statusCode(), direct.body());
    assertEquals(direct.statusCode(), relayed.statusCode(), relayed.body());
    assertEquals(direct.body(), relayed.body());
  }

  /** An unsigned generic delivery: the leader refuses it with 401, wherever it was posted. */
  private static HttpResponse<String> webhook(HttpClient https, int port) throws Exception {
    return https.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/webhooks/generic"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"refs/heads/main\"}"))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String leader(HttpClient https, int port, Path tokenFile) {
    try {
      HttpResponse<String> r =
          https.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/cluster"))
                  .header("Authorization", "Bearer " + Files.readString(tokenFile).strip())
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode leader = JSON.readTree(r.body()).path("leader").path("id");
      return leader.isTextual() ? leader.asText() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void start(String id, Path data, int httpPort, EtcdTestCluster etcd, Path repo)
      throws Exception {
    toClose.add(
        JavaProcess.ogp(
            tmp.resolve(id + ".log"),
            "server",
            "--repo",
            repo.toString(),
            "--poll",
            "1h",
            "--bind",
            "0.0.0.0",
            "--server-name",
            "127.0.0.1",
            "--http-port",
            Integer.toString(httpPort),
            "--agent-port",
            Integer.toString(freePort()),
            "--data-dir",
            data.toString(),
            "--etcd",
            etcd.flag(),
            "--member-id",
            id));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
