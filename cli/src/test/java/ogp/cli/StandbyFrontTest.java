package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import ogp.reconciler.api.ClusterStatus;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenStore;
import ogp.webhook.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port of a replica that does not lead, over real sockets: what it answers itself, what it
 * redirects to the leader (307, same path and query), what it relays (webhooks, to a real HTTP
 * server playing the leader), and 503 with Retry-After when no leader can take a request.
 */
class StandbyFrontTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path tmp;

  private final AtomicReference<ClusterStatus> cluster = new AtomicReference<>();
  private final List<String> leaderSaw = new CopyOnWriteArrayList<>();
  private final CountDownLatch stall = new CountDownLatch(1);
  private HttpServer leader;
  private StandbyFront front;
  private String viewerToken;

  @BeforeEach
  void start() throws Exception {
    leader = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    leader.createContext(
        "/webhooks/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          var h = exchange.getRequestHeaders();
          leaderSaw.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " event="
                  + h.getFirst("X-GitHub-Event")
                  + " delivery="
                  + h.getFirst("X-GitHub-Delivery")
                  + " signature="
                  + h.getFirst("X-Hub-Signature-256")
                  + " forwarded="
                  + h.getFirst("X-Forwarded-For")
                  + " body="
                  + body);
          if (exchange.getRequestURI().getPath().endsWith("/generic")) {
            try {
              stall.await(); // a leader that does not answer
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] answer = "{\"status\":\"refresh queued\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(202, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    leader.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    leader.start();
    TokenStore tokens = TokenStore.bootstrap(tmp, Clock.systemUTC(), new SecureRandom());
    viewerToken = Files.readString(tmp.resolve(SecretToken.VIEWER_TOKEN_FILE)).strip();
    front =
        StandbyFront.start(
            new StandbyFront.Settings(
                "127.0.0.1",
                0,
                Optional.empty(),
                false,
                WebhookSettings.DEFAULT_MAX_BODY_BYTES,
                Optional.empty()),
            "b",
            cluster::get,
            tokens,
            new MetricsRoutes());
  }

  @AfterEach
  void stop() {
    stall.countDown();
    if (front != null) front.close();
    leader.stop(0);
  }

  private void leaderIs(String id, String url) {
    ClusterStatus.Leader l = new ClusterStatus.Leader(id, 7, "127.0.0.1:7070", url);
    cluster.set(
        new ClusterStatus(
            ClusterStatus.REPLICATED,
            "b",
            l,
            7,
            120L,
            List.of(
                new ClusterStatus.Member(id, "127.0.0.1:7070", url, true),
                new ClusterStatus.Member("b", "127.0.0.1:7071", "http://127.0.0.1:1", false))));
  }

  private void noLeader() {
    cluster.set(
        new ClusterStatus(
            ClusterStatus.REPLICATED,
            "b",
            null,
            0,
            120L,
            List.of(new ClusterStatus.Member("b", "127.0.0.1:7071", "http://127.0.0.1:1", false))));
  }

  private String leaderUrl() {
    return "http://127.0.0.1:" + leader.getAddress().getPort();
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) request.headers(headers);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aWriteIsRedirected307ToTheLeaderWithTheSamePathAndQuery() throws Exception {
    leaderIs("a", "https://ogp-a.example:8443/");
    HttpResponse<String> r =
        send("POST", "/api/v1/apps/web/deploy?dryRun=true", "{\"version\":\"42\"}");
    assertEquals(307, r.statusCode(), r.body());
    assertEquals(
        "https://ogp-a.example:8443/api/v1/apps/web/deploy?dryRun=true",
        r.headers().firstValue("Location").orElse(""));
    HttpResponse<String> portal = send("GET", "/", null);
    assertEquals(307, portal.statusCode());
    assertEquals("https://ogp-a.example:8443/", portal.headers().firstValue("Location").get());
    HttpResponse<String> watch = send("GET", "/api/v1/watch?kind=apps", null);
    assertEquals(
        "https://ogp-a.example:8443/api/v1/watch?kind=apps",
        watch.headers().firstValue("Location").get());
  }

  @Test
  void withoutALeaderARequestForTheLeaderIs503WithRetryAfter() throws Exception {
    noLeader();
    HttpResponse<String> r = send("POST", "/api/v1/refresh", null);
    assertEquals(503, r.statusCode());
    assertEquals(StandbyFront.RETRY_AFTER_SECONDS, r.headers().firstValue("Retry-After").get());
    assertEquals("no leader elected yet", JSON.readTree(r.body()).path("error").asText());
  }

  @Test
  void whileTheLeaderNamedIsThisReplicaStillStartingItAnswers503InsteadOfRedirectingToItself()
      throws Exception {
    leaderIs("b", "http://127.0.0.1:1");
    HttpResponse<String> r = send("GET", "/api/v1/apps", null);
    assertEquals(503, r.statusCode());
    assertTrue(r.headers().firstValue("Location").isEmpty());
  }

  @Test
  void healthReadinessClusterAndMetricsAreAnsweredByTheStandbyItself() throws Exception {
    leaderIs("a", leaderUrl());
    HttpResponse<String> health = send("GET", "/healthz", null);
    assertEquals(200, health.statusCode());
    JsonNode ready = JSON.readTree(send("GET", "/readyz", null).body());
    assertTrue(ready.path("ready").asBoolean(), ready.toString());
    assertEquals("standby", ready.path("reason").asText());
    assertEquals("a", ready.path("leader").path("id").asText());
    assertEquals(401, send("GET", "/api/v1/cluster", null).statusCode(), "a read needs a token");
    HttpResponse<String> status =
        send("GET", "/api/v1/cluster", null, "Authorization", "Bearer " + viewerToken);
    assertEquals(200, status.statusCode(), status.body());
    JsonNode body = JSON.readTree(status.body());
    assertEquals("replicated", body.path("mode").asText());
    assertEquals("b", body.path("self").asText());
    assertEquals(7, body.path("leader").path("epoch").asLong());
    assertEquals(2, body.path("members").size());
    HttpResponse<String> metrics = send("GET", "/metrics", null);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("jvm_"), "the replica's own meters");
  }

  @Test
  void aWebhookIsRelayedToTheLeaderWithItsBodyAndTheForgesHeadersAndTheLeadersAnswerReturned()
      throws Exception {
    leaderIs("a", leaderUrl());
    HttpResponse<String> r =
        send(
            "POST",
            "/webhooks/github",
            "{\"ref\":\"refs/heads/main\"}",
            "X-GitHub-Event",
            "push",
            "X-GitHub-Delivery",
            "d-1",
            "X-Hub-Signature-256",
            "sha256=abc",
            "Content-Type",
            "application/json");
    assertEquals(202, r.statusCode(), r.body());
    assertEquals("refresh queued", JSON.readTree(r.body()).path("status").asText());
    assertEquals(
        List.of(
            "POST /webhooks/github event=push delivery=d-1 signature=sha256=abc"
                + " forwarded=127.0.0.1 body={\"ref\":\"refs/heads/main\"}"),
        leaderSaw);
  }

  @Test
  void aWebhookWithoutALeaderIs503WithRetryAfterSoTheForgeDeliversAgain() throws Exception {
    noLeader();
    HttpResponse<String> r = send("POST", "/webhooks/gitlab", "{}");
    assertEquals(503, r.statusCode());
    assertTrue(r.headers().firstValue("Retry-After").isPresent());
    assertEquals(List.of(), leaderSaw);
  }

  @Test
  void aWebhookForALeaderThatCannotBeReachedIs503() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    leaderIs("a", "http://127.0.0.1:" + closed);
    HttpResponse<String> r = send("POST", "/webhooks/gitea", "{}");
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  void aWebhookForALeaderThatDoesNotAnswerWithinTheTimeoutIs503() throws Exception {
    leaderIs("a", leaderUrl());
    long start = System.nanoTime();
    HttpResponse<String> r = send("POST", "/webhooks/generic", "{}");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(ms >= WebhookRelay.TIMEOUT_SECONDS * 1000L - 100, "waited the timeout: " + ms);
  }

  @Test
  void aWebhookOverTheBodyCapIs413AndNotRelayed() throws Exception {
    leaderIs("a", leaderUrl());
    String big = "x".repeat(WebhookSettings.DEFAULT_MAX_BODY_BYTES + 1);
    HttpResponse<String> r = send("POST", "/webhooks/github", big);
    assertEquals(413, r.statusCode());
    assertEquals(List.of(), leaderSaw);
  }
}
