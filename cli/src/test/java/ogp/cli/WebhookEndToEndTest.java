package ogp.cli;

import static ogp.cli.Holds.holdsFor;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push webhook end to end: the desired state lives behind real smart HTTP with basic auth, the
 * server polls only once an hour, and a signed GitHub-format push makes the agent get the new
 * assignment within a second. Measures webhook 202 → assignment received by the agent.
 */
class WebhookEndToEndTest {
  private static final String SECRET = "webhook-test-secret";

  @TempDir Path tmp;
  private GitHttpServer git;
  private TestRepo work;
  private String remoteUrl;
  private ServerProcess server;
  private AgentLink agent;
  private final LinkedBlockingQueue<Received> assignments = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();

  private record Received(Assignment assignment, long atNanos) {}

  @BeforeEach
  void start() throws Exception {
    git = GitHttpServer.start("ogp", "s3cret");
    Path bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    remoteUrl = git.serve("fleet.git", bare);
    work = TestRepo.create(tmp.resolve("work"));
    work.commit("Place web 1", Map.of("apps/web.yaml", TestApps.web("1")));
    work.pushTo(remoteUrl, "ogp", "s3cret", false);
    Path secretFile = Files.writeString(tmp.resolve("webhook-secret"), SECRET + "\n");
    GitRemote remote =
        new GitRemote(remoteUrl, "main", "", new GitCredentials.UsernamePassword("ogp", "s3cret"));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                remote,
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                secretFile));
    agent =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity("h1", Map.of(), "test", "none"),
                a -> assignments.add(new Received(a, System.nanoTime())))
            .joinToken(server.joinToken().reveal())
            .start();
    Received first = assignments.poll(30, TimeUnit.SECONDS);
    assertTrue(first != null, "the agent gets its first assignment");
    assertEquals("1", first.assignment().getContainers(0).getVersion());
  }

  @AfterEach
  void stop() {
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (work != null) work.close();
    if (git != null) git.close();
  }

  @Test
  void signedGithubPushAppliesTheNewRevisionLongBeforeThePoll() throws Exception {
    List<Long> latenciesMicros = new ArrayList<>();
    for (int version = 2; version <= 21; version++) {
      String sha =
          work.commit(
              "Deploy web " + version,
              Map.of("apps/web.yaml", TestApps.web(Integer.toString(version))));
      work.pushTo(remoteUrl, "ogp", "s3cret", false);
      HttpResponse<String> response = postGithubPush(sha, "delivery-" + version);
      long acceptedAt = System.nanoTime();
      assertEquals(202, response.statusCode(), response.body());
      Received got = awaitAssignmentFor(sha, Duration.ofSeconds(10));
      assertEquals(Integer.toString(version), got.assignment().getContainers(0).getVersion());
      latenciesMicros.add(Math.max(0, (got.atNanos() - acceptedAt) / 1000));
    }
    Collections.sort(latenciesMicros);
    long p50 = latenciesMicros.get(latenciesMicros.size() / 2);
    long max = latenciesMicros.get(latenciesMicros.size() - 1);
    System.out.printf(
        "webhook 202 -> assignment at the agent over %d pushes: p50 %.1f ms, max %.1f ms%n",
        latenciesMicros.size(), p50 / 1000.0, max / 1000.0);
    assertTrue(
        max < 5_000_000,
        "every push is applied within seconds, not at the hourly poll: max " + max + " µs");
  }

  @Test
  void aBurstOfDeliveriesCoalescesIntoFewFetches() throws Exception {
    String sha = work.commit("Deploy web 2", Map.of("apps/web.yaml", TestApps.web("2")));
    work.pushTo(remoteUrl, "ogp", "s3cret", false);
    git.resetCounts();
    ExecutorService senders = Executors.newFixedThreadPool(10);
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String delivery = "burst-" + i;
      sent.add(senders.submit(() -> postGithubPush(sha, delivery)));
    }
    for (Future<HttpResponse<String>> response : sent) {
      assertEquals(202, response.get(30, TimeUnit.SECONDS).statusCode());
    }
    senders.shutdown();
    awaitAssignmentFor(sha, Duration.ofSeconds(10));
    int fetches = git.count(GitHttpServer.Kind.UPLOAD_PACK);
    int advertisements = git.count(GitHttpServer.Kind.UPLOAD_PACK_ADVERTISEMENT);
    System.out.printf(
        "30 deliveries -> %d ref advertisements, %d fetches%n", advertisements, fetches);
    assertEquals(1, fetches, "one fetch for the new commit");
    assertTrue(
        advertisements < 30, "deliveries while a refresh is queued share it: " + advertisements);
  }

  @Test
  void badlySignedWebhookChangesNothing() throws Exception {
    String sha = work.commit("Deploy web 2", Map.of("apps/web.yaml", TestApps.web("2")));
    work.pushTo(remoteUrl, "ogp", "s3cret", false);
    HttpResponse<String> response =
        post(
            "/webhooks/github",
            githubPayload(sha),
            Map.of(
                "X-GitHub-Event",
                "push",
                "X-GitHub-Delivery",
                "bad-1",
                "X-Hub-Signature-256",
                "sha256=" + "0".repeat(64)));
    assertEquals(401, response.statusCode());
    holdsFor(
        Duration.ofMillis(1500),
        () -> assertEquals(null, assignments.peek(), "no refresh, so no new assignment"));
  }

  /**
   * The first assignment at {@code revision} the agent received, skipping older ones; its time is
   * when it arrived.
   */
  private Received awaitAssignmentFor(String revision, Duration deadline) {
    return await("an assignment at " + revision)
        .atMost(deadline)
        .until(() -> takeAssignmentAt(revision), Objects::nonNull);
  }

  /**
   * Takes received assignments until one is at {@code revision}; null when none of those received
   * so far is.
   */
  private Received takeAssignmentAt(String revision) {
    for (Received r = assignments.poll(); r != null; r = assignments.poll()) {
      if (r.assignment().getRevision().equals(revision)) return r;
    }
    return null;
  }

  private HttpResponse<String> postGithubPush(String sha, String delivery) throws Exception {
    String body = githubPayload(sha);
    return post(
        "/webhooks/github",
        body,
        Map.of(
            "X-GitHub-Event",
            "push",
            "X-GitHub-Delivery",
            delivery,
            "X-Hub-Signature-256",
            "sha256=" + hmac(body)));
  }

  private String githubPayload(String sha) {
    return """
        {"ref": "refs/heads/main", "before": "%s", "after": "%s",
         "repository": {"full_name": "org/fleet", "clone_url": "%s", "html_url": "%s"},
         "pusher": {"name": "jenkins"}}
        """
        .formatted("0".repeat(40), sha, remoteUrl, remoteUrl);
  }

  private HttpResponse<String> post(String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String hmac(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
