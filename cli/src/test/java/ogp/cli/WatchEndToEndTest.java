package ogp.cli;

import static ogp.cli.WatchLines.is;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventReason;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import ogp.reconciler.watch.WatchSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch stream against a running server over real HTTP: a real Git repository, a real agent
 * link (no Docker: the test reports container status itself), real chunked responses.
 */
class WatchEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestRepo repo;
  private ServerProcess server;
  private AgentLink agent;
  private final LinkedBlockingQueue<Assignment> assignments = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<WatchLines> watches = new ArrayList<>();

  private void start(WatchSettings settings) throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit("Place web 1", Map.of("apps/web.yaml", TestApps.web("1")));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(repo.url(), "main", ""),
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null),
            settings);
    agent =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity("h1", Map.of(), "test", "none"),
                assignments::add)
            .joinToken(server.joinToken().reveal())
            .start();
    assertTrue(
        assignments.poll(30, TimeUnit.SECONDS) != null, "the agent gets its first assignment");
    serverWatchers = server.watchHub().watchers();
  }

  /**
   * Watchers the server holds itself before the test opens any (the portal's live updates follow
   * the stream).
   */
  private int serverWatchers;

  @AfterEach
  void stop() throws Exception {
    for (WatchLines w : watches) w.close();
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (repo != null) repo.close();
  }

  @Test
  void watchWithoutVersionListsEveryObjectAsAddedThenFollowsACommit() throws Exception {
    start(WatchSettings.defaults());
    WatchLines watch = awaitInitialListWith("App", "web");
    String sha = repo.commit("Deploy web 2", Map.of("apps/web.yaml", TestApps.web("2")));
    post("/api/v1/refresh");
    // The commit shows as a RevisionApplied event and as the App and the Revision modified. They
    // come in any order: the event is recorded as the revision is applied, the objects when the
    // status feed next recomputes, which another cause (an agent's report) may make sooner.
    boolean eventApplied = false;
    boolean appModified = false;
    boolean revisionModified = false;
    while (!(eventApplied && appModified && revisionModified)) {
      JsonNode line =
          watch.await(
              l -> is("ADDED", "Event").test(l) || "MODIFIED".equals(l.get("type").asText()),
              DEADLINE);
      if (is("ADDED", "Event").test(line)
          && "RevisionApplied".equals(line.at("/object/reason").asText())) {
        assertEquals(sha, line.at("/object/revision").asText());
        eventApplied = true;
      }
      appModified |=
          "App".equals(line.get("kind").asText())
              && "2".equals(line.at("/object/desiredVersion").asText());
      revisionModified |=
          "Revision".equals(line.get("kind").asText())
              && sha.equals(line.at("/object/revision").asText());
    }
  }

  @Test
  void resumingAfterDroppedConnectionsLosesNothingAndRepeatsNothingWhileChangesKeepComing()
      throws Exception {
    start(new WatchSettings(100_000, 100_000, Duration.ofSeconds(30)));
    int total = 3000;
    Thread producer =
        new Thread(
            () -> {
              for (int i = 0; i < total; i++) {
                server
                    .events()
                    .record(
                        Event.of(
                                java.time.Clock.systemUTC(),
                                EventReason.ROLLBACK_COMMITTED,
                                "n=" + i)
                            .withApp("web"));
                if (i == total / 2)
                  repo.commit("Deploy web 3", Map.of("apps/web.yaml", TestApps.web("3")));
                if (i == total / 2) server.reconciler().requestRefresh();
              }
            });
    WatchLines watch = open(null);
    long lastRv =
        watch
            .await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE)
            .get("resourceVersion")
            .asLong();
    producer.start();
    List<Integer> seen = new ArrayList<>();
    int drops = 0;
    while (seen.size() < total) {
      JsonNode line = watch.next(DEADLINE);
      if (line == WatchLines.END) throw new AssertionError("the stream ended");
      long rv = line.get("resourceVersion").asLong();
      if (!"BOOKMARK".equals(line.get("type").asText())) {
        assertTrue(rv > lastRv, "versions only grow: " + rv + " after " + lastRv);
        lastRv = rv;
      }
      if (is("ADDED", "Event").test(line)
          && "RollbackCommitted".equals(line.at("/object/reason").asText())) {
        seen.add(Integer.parseInt(line.at("/object/message").asText().substring(2)));
        if (seen.size() % 500 == 0) { // drop the connection and resume from the last version seen
          watch.close();
          watch = open(lastRv);
          assertEquals(200, watch.status, () -> "resume answers 200");
          drops++;
        }
      }
    }
    producer.join();
    for (int i = 0; i < total; i++)
      assertEquals(i, seen.get(i), "event " + i + " exactly once, in order");
    assertTrue(drops >= 5, "the connection was dropped and resumed " + drops + " times");
  }

  @Test
  void resumeFromAVersionOlderThanTheRetainedWindowAnswers410AndAListStillWorks() throws Exception {
    start(new WatchSettings(50, 1_000, Duration.ofSeconds(30)));
    long first =
        server
            .events()
            .record(Event.of(java.time.Clock.systemUTC(), EventReason.ROLLBACK_COMMITTED, "first"));
    WatchLines recent = open(first);
    assertEquals(200, recent.status, "a version inside the window resumes");
    for (int i = 0; i < 100; i++)
      server
          .events()
          .record(Event.of(java.time.Clock.systemUTC(), EventReason.ROLLBACK_COMMITTED, "n=" + i));
    WatchLines gone = open(first);
    assertEquals(410, gone.status);
    assertTrue(
        JSON.readTree(gone.errorBody).get("error").asText().contains("not retained"),
        gone.errorBody);
    WatchLines future = open(server.watchHub().resourceVersion() + 1_000);
    assertEquals(410, future.status, "a version this server never issued is gone too");
    WatchLines list = open(null);
    list.await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE);
  }

  @Test
  void aStalledWatcherIsCutOffAndDoesNotSlowAFastOne() throws Exception {
    start(new WatchSettings(100_000, 200, Duration.ofSeconds(30)));
    Socket stalled = new Socket();
    stalled.setReceiveBufferSize(4096);
    stalled.connect(new InetSocketAddress("127.0.0.1", server.httpPort()));
    OutputStream request = stalled.getOutputStream();
    request.write(
        ("GET /api/v1/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + server.adminToken().reveal()
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    request.flush();
    WatchLines fast = open(null);
    fast.await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE);
    await("both watchers are open")
        .atMost(DEADLINE)
        .until(() -> server.watchHub().watchers() == serverWatchers + 2);
    String padding = "x".repeat(2048);
    int total = 5000;
    // The producer stays at most 100 events ahead of the fast reader (half its buffer): a fast
    // client keeps up,
    // the stalled one cannot, whatever the machine's speed.
    java.util.concurrent.atomic.AtomicInteger received =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread producer =
        new Thread(
            () -> {
              for (int i = 0; i < total; i++) {
                while (i - received.get() > 100) Thread.onSpinWait();
                server
                    .events()
                    .record(
                        Event.of(
                            java.time.Clock.systemUTC(),
                            EventReason.ROLLBACK_COMMITTED,
                            i + " " + padding));
              }
            });
    long start = System.nanoTime();
    producer.start();
    while (received.get() < total) {
      JsonNode line = fast.next(DEADLINE);
      if (line == WatchLines.END) throw new AssertionError("the fast watcher was cut off");
      if (is("ADDED", "Event").test(line)) received.incrementAndGet();
    }
    producer.join();
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "fast watcher received %d events of 2 KiB in %d ms while another watcher stalled%n",
        total, millis);
    await("the stalled watcher is cut off")
        .atMost(DEADLINE)
        .until(() -> server.watchHub().watchers() == serverWatchers + 1);
    stalled.setSoTimeout((int) DEADLINE.toMillis());
    InputStream in = stalled.getInputStream();
    try {
      while (in.read(new byte[65536]) >= 0) {
        // drain what was written before the cut-off; the server closed the connection after it
      }
    } catch (java.net.SocketException reset) {
      // closed with unread data: a reset is the other way to learn it
    }
    stalled.close();
  }

  @Test
  void theSeventeenthWatchOfATokenIsRefusedWith429AndClosingOneFreesASlot() throws Exception {
    // Short bookmarks: a closed client is noticed at the next write.
    start(new WatchSettings(10_000, 1_000, Duration.ofMillis(200)));
    List<WatchLines> open = new ArrayList<>();
    for (int i = 0; i < WatchSettings.DEFAULT_WATCHERS_PER_TOKEN; i++) {
      WatchLines w = open(null);
      assertEquals(200, w.status, "watch " + (i + 1) + " opens");
      open.add(w);
    }
    WatchLines refused = open(null);
    assertEquals(429, refused.status, refused.errorBody);
    assertEquals(
        "the token 'admin' already has 16 watch streams open, the most one token may hold;"
            + " close one (a stream ends when its client disconnects) or use another token",
        JSON.readTree(refused.errorBody).get("error").asText());

    open.get(0).close();
    WatchLines again =
        await("a slot is free once the closed stream is noticed")
            .atMost(DEADLINE)
            .until(
                () -> {
                  WatchLines w = open(null);
                  return w.status == 200 ? w : null;
                },
                Objects::nonNull);
    again.await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE);
    assertEquals(429, open(null).status, "and only one slot");
  }

  @Test
  void idleStreamsGetBookmarksWithTheCurrentVersion() throws Exception {
    start(new WatchSettings(10_000, 1_000, Duration.ofMillis(200)));
    WatchLines watch = open(null);
    JsonNode initialEnd = watch.await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE);
    // The fleet may still report (a container turning healthy) while the stream idles. A bookmark
    // carries the version current when it was sent: at least every version the stream delivered
    // before it, at most the hub's version once it has arrived (equal to both while nothing
    // happens).
    // Three bookmarks, each within 5 s of the one before (so all three within 15 s).
    AtomicLong delivered = new AtomicLong(initialEnd.get("resourceVersion").asLong());
    for (int bookmarks = 0; bookmarks < 3; bookmarks++) {
      JsonNode bookmark =
          watch.await(
              l -> {
                if ("BOOKMARK".equals(l.path("type").asText())) return true;
                delivered.accumulateAndGet(l.path("resourceVersion").asLong(), Math::max);
                return false;
              },
              Duration.ofSeconds(5));
      long version = bookmark.get("resourceVersion").asLong();
      long current = server.watchHub().resourceVersion();
      assertTrue(
          delivered.get() <= version && version <= current,
          "bookmark "
              + version
              + " is the current version: delivered up to "
              + delivered
              + ", hub at "
              + current);
    }
  }

  @Test
  void serverShutdownEndsEveryStreamWithAnError() throws Exception {
    start(WatchSettings.defaults());
    WatchLines watch = open(null);
    watch.await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE);
    agent.close();
    agent = null;
    server.close();
    JsonNode error = watch.await(l -> "ERROR".equals(l.get("type").asText()), DEADLINE);
    assertEquals(503, error.at("/object/code").asInt());
    assertEquals(WatchLines.END, watch.next(DEADLINE), "then the stream ends");
    server = null;
  }

  @Test
  void agentReportsBecomeContainerEventsListedByTheEventsEndpoint() throws Exception {
    start(WatchSettings.defaults());
    WatchLines watch = open(null);
    watch.await(l -> l.at("/object/initialEventsEnd").asBoolean(), DEADLINE);
    agent.report(report(container("c1", "running", "")));
    // ADDED when the status feed had not listed the host yet as the watch opened (it runs on its
    // own thread).
    watch.await(
        l ->
            (is("MODIFIED", "Host").test(l) || is("ADDED", "Host").test(l))
                && "c1".equals(l.at("/object/containers/0/container/containerId").asText()),
        DEADLINE);
    agent.report(
        report(container("c2", "running", ""))); // recreated with the same spec, no new assignment
    JsonNode drift =
        watch.await(
            l ->
                is("ADDED", "Event").test(l)
                    && "DriftRepaired".equals(l.at("/object/reason").asText()),
            DEADLINE);
    assertEquals("h1", drift.at("/object/host").asText());
    agent.report(
        report(container("c2", "running", "pull 127.0.0.1:5000/demo/web:2: manifest unknown")));
    watch.await(
        l -> is("ADDED", "Event").test(l) && "PullFailed".equals(l.at("/object/reason").asText()),
        DEADLINE);
    long since = drift.get("resourceVersion").asLong() - 1;
    JsonNode listed = get("/api/v1/events?since=" + since);
    List<String> reasons = new ArrayList<>();
    listed.get("items").forEach(e -> reasons.add(e.get("reason").asText()));
    assertEquals(List.of("DriftRepaired", "PullFailed"), reasons);
    assertEquals(
        drift.get("resourceVersion").asLong(), listed.at("/items/0/resourceVersion").asLong());
    String metrics = getText("/metrics");
    assertTrue(
        metrics.contains("ogp_events_total{reason=\"DriftRepaired\"}"),
        "events are counted by reason");
    assertTrue(metrics.contains("ogp_agents_connected 1.0"), "the connected agent is measured");
    assertTrue(
        metrics.contains("ogp_watchers " + (serverWatchers + 1) + ".0"),
        "the open watcher is measured: " + metrics);
  }

  // --- helpers -------------------------------------------------------------------------------

  private WatchLines open(Long resourceVersion) throws Exception {
    WatchLines w =
        WatchLines.open(http, server.httpPort(), server.adminToken().reveal(), resourceVersion);
    watches.add(w);
    return w;
  }

  /**
   * The initial list is computed asynchronously after start: reconnect until it shows the object.
   */
  private WatchLines awaitInitialListWith(String kind, String name) {
    return await("the initial list shows " + kind + " " + name)
        .atMost(DEADLINE)
        .until(() -> openIfInitialListShows(kind, name), Objects::nonNull);
  }

  /** A new watch whose initial list shows the object, or null (closed) when it does not. */
  private WatchLines openIfInitialListShows(String kind, String name) throws Exception {
    WatchLines w = open(null);
    boolean found = false;
    for (JsonNode l = w.next(DEADLINE);
        !l.at("/object/initialEventsEnd").asBoolean();
        l = w.next(DEADLINE)) {
      found |=
          is("ADDED", kind).test(l)
              && (name.equals(l.at("/object/app").asText())
                  || name.equals(l.at("/object/host").asText()));
    }
    if (found) return w;
    w.close();
    return null;
  }

  private StatusReport report(ContainerStatus container) {
    return StatusReport.newBuilder()
        .setRevision(repo.head())
        .setGeneration(0)
        .addContainers(container)
        .build();
  }

  private ContainerStatus container(String id, String state, String error) {
    return ContainerStatus.newBuilder()
        .setApp("web")
        .setInstance(0)
        .setVersion("1")
        .setContainerId(id)
        .setState(state)
        .setSpecHash("spec-1")
        .setRevision(repo.head())
        .setLastError(error)
        .build();
  }

  private void post(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private String getText(String path) throws Exception {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .header("Authorization", "Bearer " + server.adminToken().reveal());
  }
}
