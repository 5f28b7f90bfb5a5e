package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server without {@code --etcd} is a cluster of one: {@code GET /api/v1/cluster} and {@code ogp
 * cluster} show it leading at epoch 0, and its metrics say it leads and was never fenced.
 */
class SingleServerClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void aSingleServerShowsItselfAsTheLeaderAtEpochZero() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            LocalServers.settings(LocalServers.oneAppRepo(tmp), tmp.resolve("server")))) {
      HttpClient http = HttpClient.newHttpClient();
      String viewer =
          java.nio.file.Files.readString(tmp.resolve("server").resolve("viewer-token")).strip();
      HttpResponse<String> r =
          LocalServers.send(http, server, "GET", "/api/v1/cluster", viewer, "");
      assertEquals(200, r.statusCode(), r.body());
      JsonNode cluster = JSON.readTree(r.body());
      assertEquals("single", cluster.path("mode").asText());
      assertEquals(0, cluster.path("epoch").asLong());
      assertEquals(cluster.path("self").asText(), cluster.path("leader").path("id").asText());
      assertEquals(
          "127.0.0.1:" + server.agentPort(), cluster.path("leader").path("agentAddress").asText());
      assertEquals(
          "http://127.0.0.1:" + server.httpPort(), cluster.path("leader").path("httpUrl").asText());
      assertTrue(cluster.path("leaseAgeMs").isNull());
      assertEquals(1, cluster.path("members").size());
      assertTrue(cluster.path("members").get(0).path("leader").asBoolean());
      assertEquals(
          401, LocalServers.send(http, server, "GET", "/api/v1/cluster", null, "").statusCode());

      String metrics = LocalServers.send(http, server, "GET", "/metrics", null, "").body();
      assertTrue(metrics.contains("ogp_leader 1.0"), metrics);
      assertTrue(metrics.contains("ogp_leader_changes_total 0.0"), metrics);
      assertTrue(metrics.contains("ogp_fenced_commands_total 0.0"), metrics);

      OgpRun run =
          ogp("cluster", "--server", "http://127.0.0.1:" + server.httpPort(), "--token", viewer);
      assertEquals(0, run.exit(), run.err());
      assertTrue(run.out().contains("mode       single"), run.out());
      assertTrue(run.out().contains("at epoch 0"), run.out());
      OgpRun json =
          ogp(
              "cluster",
              "--server",
              "http://127.0.0.1:" + server.httpPort(),
              "--token",
              viewer,
              "--json");
      assertEquals("single", JSON.readTree(json.out()).path("mode").asText(), json.out());
    }
  }
}
