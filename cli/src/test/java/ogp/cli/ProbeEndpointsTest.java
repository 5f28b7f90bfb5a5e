package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import ogp.reconciler.source.GitRemote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open endpoints over real HTTP: {@code /readyz} tells anonymous callers only whether the
 * server is ready and a reason word (the fetch's error names hosts and paths), API tokens the
 * detail; {@code /metrics} is open unless {@code --metrics-token-file} is given, and then needs
 * that token.
 */
class ProbeEndpointsTest {
  @TempDir Path tmp;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void readyzTellsAnonymousCallersOnlyAReasonWordAndApiTokensTheFetchError() throws Exception {
    Path missing = tmp.resolve("secret-place").resolve("no-such-repo");
    try (ServerProcess server =
        new ServerProcess(settings(GitRemote.of(missing.toString(), "main", "")))) {
      await("the first fetch failed")
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(server, "/readyz", null).body().contains("fetch-failing"));

      HttpResponse<String> anonymous = get(server, "/readyz", null);
      assertEquals(503, anonymous.statusCode());
      assertEquals("{\"ready\":false,\"reason\":\"fetch-failing\"}", anonymous.body());

      HttpResponse<String> badToken = get(server, "/readyz", "not-a-token");
      assertEquals("{\"ready\":false,\"reason\":\"fetch-failing\"}", badToken.body());
      HttpResponse<String> joinToken = get(server, "/readyz", server.joinToken().reveal());
      assertFalse(joinToken.body().contains("secret-place"), "a join token is no API token");

      String viewer = Files.readString(tmp.resolve("data").resolve("viewer-token")).strip();
      HttpResponse<String> withToken = get(server, "/readyz", viewer);
      assertEquals(503, withToken.statusCode());
      assertTrue(
          withToken.body().contains("\"reason\":\"fetch-failing\"")
              && withToken.body().contains("\"detail\":\"cannot read the desired state: ")
              && withToken.body().contains("secret-place"),
          withToken.body());
    }
  }

  @Test
  void readyzSaysReadyOnceARevisionIsApplied() throws Exception {
    try (ServerProcess server = new ServerProcess(settings(LocalServers.oneAppRepo(tmp)))) {
      await("ready")
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(server, "/readyz", null).statusCode() == 200);
      assertEquals("{\"ready\":true}", get(server, "/readyz", null).body());
    }
  }

  @Test
  void metricsAreOpenByDefault() throws Exception {
    try (ServerProcess server = new ServerProcess(settings(LocalServers.oneAppRepo(tmp)))) {
      HttpResponse<String> scrape = get(server, "/metrics", null);
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.body().contains("jvm_memory_used_bytes"), "meters");
    }
  }

  @Test
  void withAMetricsTokenFileOnlyThatTokenReadsTheMetrics() throws Exception {
    Path tokenFile = Files.writeString(tmp.resolve("prometheus-token"), "scrape-me-123\n");
    try (ServerProcess server =
        new ServerProcess(settings(LocalServers.oneAppRepo(tmp)).withMetricsTokenFile(tokenFile))) {
      HttpResponse<String> anonymous = get(server, "/metrics", null);
      assertEquals(401, anonymous.statusCode());
      assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
      assertFalse(anonymous.body().contains("jvm_"), "no meters: " + anonymous.body());
      assertEquals(401, get(server, "/metrics", "scrape-me-12").statusCode());
      assertEquals(401, get(server, "/metrics", server.adminToken().reveal()).statusCode());

      HttpResponse<String> scrape = get(server, "/metrics", "scrape-me-123");
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.body().contains("jvm_memory_used_bytes"), "meters");
      assertEquals(200, get(server, "/healthz", null).statusCode(), "the other probes stay open");
    }
  }

  @Test
  void anEmptyMetricsTokenFileStopsTheStartNamingIt() throws Exception {
    Path empty = Files.writeString(tmp.resolve("empty-token"), "\n");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new ServerProcess(
                        settings(LocalServers.oneAppRepo(tmp)).withMetricsTokenFile(empty))
                    .close());
    assertEquals("--metrics-token-file " + empty + " is empty", e.getMessage());
  }

  private ServerProcess.Settings settings(GitRemote remote) {
    return LocalServers.settings(remote, tmp.resolve("data"));
  }

  private HttpResponse<String> get(ServerProcess server, String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .timeout(Duration.ofSeconds(10));
    if (token != null) request.header("Authorization", "Bearer " + token);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
