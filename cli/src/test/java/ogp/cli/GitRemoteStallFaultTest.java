package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.TestRepo;
import org.awaitility.Awaitility;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Git remote accepts connections and then stalls, then answers very slowly, then recovers
 * (smart HTTP with basic auth, JGit's GitServlet, behind a {@link TcpRelay} that misbehaves on
 * command). Smart HTTP and SSH honour the Git timeout; JGit's git:// transport does not (it relies
 * on interrupting a socket read, which Java's sockets ignore), so it is not used here. Throughout,
 * the API, the history and the portal answer fast (p99 under a second) because no request waits on
 * the network or on a lock held across it; while the remote is stuck a change fails within the Git
 * timeout with a clear error; when it answers again, slowly or normally, polling applies what was
 * pushed meanwhile and changes land again. The agent is a bare {@link AgentLink} (no Docker).
 */
class GitRemoteStallFaultTest {
  private static final Duration GIT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private GitHttpServer git;
  private TcpRelay relay;
  private ServerProcess server;
  private AgentLink agent;
  private Thread prober;
  private volatile boolean probing = true;
  private final AtomicReference<Assignment> lastAssignment = new AtomicReference<>();
  private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
  private final List<String> slowAnswers = Collections.synchronizedList(new ArrayList<>());

  /**
   * Waits check at once and then every 50 ms, as in RealDockerTest: the times they take are
   * printed.
   */
  @BeforeEach
  void checkWaitsAtOnceThenEvery50Ms() {
    Awaitility.setDefaultPollDelay(Duration.ZERO);
    Awaitility.setDefaultPollInterval(Duration.ofMillis(50));
  }

  @AfterEach
  void stop() throws Exception {
    Awaitility.reset();
    probing = false;
    if (prober != null) prober.join(10_000);
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (relay != null) relay.close();
    if (git != null) git.close();
  }

  @Test
  void aStalledThenSlowRemoteNeverBlocksTheApiOrPortalChangesFailFastAndPollingRecovers()
      throws Exception {
    Git.init()
        .setBare(true)
        .setInitialBranch("main")
        .setDirectory(tmp.resolve("fleet.git").toFile())
        .call()
        .close();
    git = GitHttpServer.start("ogp", "s3cret");
    String direct = git.serve("fleet.git", tmp.resolve("fleet.git"));
    TestRepo work = TestRepo.create(tmp.resolve("work"));
    String v1 = work.commit("web 1", Map.of("apps/web.yaml", appYaml("1")));
    work.pushTo(direct, "ogp", "s3cret", false);
    int relayPort;
    try (ServerSocket free = new ServerSocket(0)) {
      relayPort = free.getLocalPort();
    }
    relay = TcpRelay.open(relayPort, git.port());
    String viaRelay = direct.replace(":" + git.port() + "/", ":" + relayPort + "/");
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                    new GitRemote(
                        viaRelay, "main", "", new GitCredentials.UsernamePassword("ogp", "s3cret")),
                    tmp.resolve("server"),
                    Duration.ofMillis(300),
                    "127.0.0.1",
                    0,
                    0,
                    Duration.ofSeconds(15),
                    null)
                .withGitTimeout(GIT_TIMEOUT));
    FaultTest.Api api = FaultTest.Api.of(server);
    agent =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity("h", Map.of(), "test", "none"),
                lastAssignment::set)
            .joinToken(server.joinToken().reveal())
            .start();
    await("v1 applied")
        .atMost(WAIT)
        .until(() -> api.get("/api/v1/revision"), now -> v1.equals(now.path("revision").asText()));
    startProbing(api);

    // 1. The remote accepts and never answers.
    relay.stall();
    long stalledAt = System.nanoTime();
    await("the stalled fetch is reported")
        .atMost(WAIT)
        .until(() -> api.get("/api/v1/revision"), now -> !now.path("lastFetchError").isNull());
    long detectMs = FaultTest.msSince(stalledAt);
    String fetchError = api.get("/api/v1/revision").path("lastFetchError").asText();
    assertTrue(saysTimeout(fetchError), "the error says the remote timed out: " + fetchError);
    long changeStarted = System.nanoTime();
    HttpResponse<String> refused =
        api.send("POST", "/api/v1/apps/web/deploy", "{\"version\": \"2\"}", Duration.ofSeconds(60));
    long changeMs = FaultTest.msSince(changeStarted);
    assertEquals(502, refused.statusCode(), refused.body());
    // Which step meets the stall depends on HTTP keep-alive: a fetch may reuse a connection opened
    // before the stall and succeed, and then the push's new connection times out. Either way the
    // change fails with a sentence naming the branch and the timeout.
    assertTrue(
        refused.body().matches("(?s).*Cannot (fetch|push to) branch main of .*")
            && saysTimeout(refused.body()),
        refused.body());
    assertTrue(
        changeMs < 3 * GIT_TIMEOUT.toMillis() + 2_000,
        "the change fails within the Git timeout, not never: " + changeMs + " ms");
    String v2 = work.commit("web 2", Map.of("apps/web.yaml", appYaml("2")));
    work.pushTo(direct, "ogp", "s3cret", false); // pushed while the server cannot see the remote

    // 2. The remote answers, very slowly: polling gets there all the same.
    relay.slow(Duration.ofMillis(50));
    long slowAt = System.nanoTime();
    await("v2 applied over the slow link")
        .atMost(WAIT)
        .until(() -> api.get("/api/v1/revision"), now -> v2.equals(now.path("revision").asText()));
    long slowMs = FaultTest.msSince(slowAt);

    // 3. The remote is back to normal: changes land again and are applied.
    relay.forward();
    HttpResponse<String> deployed =
        api.send("POST", "/api/v1/apps/web/deploy", "{\"version\": \"3\"}", Duration.ofSeconds(60));
    assertEquals(200, deployed.statusCode(), deployed.body());
    String v3 = FaultTest.JSON.readTree(deployed.body()).path("commit").asText();
    long recoveredAt = System.nanoTime();
    await("v3 applied and assigned")
        .atMost(WAIT)
        .until(
            () ->
                v3.equals(api.get("/api/v1/revision").path("revision").asText())
                    && lastAssignment.get() != null
                    && v3.equals(lastAssignment.get().getRevision()));
    long convergeMs = FaultTest.msSince(recoveredAt);
    await("the fetch error clears")
        .atMost(WAIT)
        .until(() -> api.get("/api/v1/revision"), now -> now.path("lastFetchError").isNull());
    JsonNode history = api.get("/api/v1/apps/web/history");
    assertEquals(
        "3",
        history.path(0).path("versionAfter").asText(),
        "history at the applied revision: " + history);

    probing = false;
    prober.join(10_000);
    List<Long> sorted;
    synchronized (latencies) {
      sorted = latencies.stream().sorted().toList();
    }
    assertTrue(sorted.size() >= 50, "the API and portal were probed throughout: " + sorted.size());
    long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    assertTrue(
        p99 < 1_000,
        "API and portal p99 "
            + p99
            + " ms while the remote stalled (slowest: "
            + slowAnswers
            + ")");
    System.out.printf(
        "FAULT Git remote stalls, then answers slowly: time to detect %d ms, a change failed in %d ms, the slow link"
            + " applied the missed commit in %d ms, time to converge %d ms; API and portal p99 %d ms over %d requests, containers lost 0%n",
        detectMs, changeMs, slowMs, convergeMs, p99, sorted.size());
  }

  /**
   * GETs the API's reads and the portal's pages in turn, every 50 ms, timing each, until the test
   * ends.
   */
  private void startProbing(FaultTest.Api api) throws Exception {
    HttpClient portal =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    signIn(portal, api);
    List<Supplier<Integer>> reads =
        List.of(
            () -> api.send("GET", "/api/v1/apps", null, Duration.ofSeconds(10)).statusCode(),
            () -> api.send("GET", "/api/v1/revision", null, Duration.ofSeconds(10)).statusCode(),
            () ->
                api.send("GET", "/api/v1/apps/web/history", null, Duration.ofSeconds(10))
                    .statusCode(),
            () -> page(portal, api.base() + "/apps"),
            () -> page(portal, api.base() + "/apps/web"));
    prober =
        new Thread(
            () -> {
              for (int i = 0; probing; i++) {
                long started = System.nanoTime();
                int status;
                try {
                  status = reads.get(i % reads.size()).get();
                } catch (
                    RuntimeException
                        e) { // no answer in time: recorded as a failure, the probing goes on
                  status = -1;
                }
                long ms = FaultTest.msSince(started);
                latencies.add(ms);
                if (status != 200 || ms >= 1_000)
                  slowAnswers.add(
                      "read " + (i % reads.size()) + ": " + status + " in " + ms + " ms");
                try {
                  Thread.sleep(50); // the probing pace
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "probe");
    prober.setDaemon(true);
    prober.start();
  }

  private static void signIn(HttpClient portal, FaultTest.Api api) throws Exception {
    String form =
        portal
            .send(
                HttpRequest.newBuilder(URI.create(api.base() + "/login")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form);
    assertTrue(csrf.find(), "the login form has a CSRF token");
    String body =
        "_csrf="
            + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)
            + "&name=admin&password="
            + URLEncoder.encode(api.token(), StandardCharsets.UTF_8);
    HttpResponse<String> login =
        portal.send(
            HttpRequest.newBuilder(URI.create(api.base() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", api.base())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(302, login.statusCode(), "signed in: " + login.body());
    assertEquals(200, page(portal, api.base() + "/apps"), "the portal answers once signed in");
  }

  private static int page(HttpClient portal, String url) {
    try {
      return portal
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** JGit says "Read timed out" or "Connection time out" depending on the transport's step. */
  private static boolean saysTimeout(String message) {
    return message.matches("(?s).*[Tt]ime(d)? ?out.*");
  }

  private static String appYaml(String version) {
    return "app: web\nimage: busybox\nversion: \"%s\"\nhosts: [h]\n".formatted(version);
  }
}
