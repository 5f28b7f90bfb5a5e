package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import ogp.agent.link.AgentLink;
import ogp.agent.runtime.OgpLabels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Fault 2 of docs/ha.md: the leader frozen (SIGSTOP) for longer than its lease, then thawed
 * (SIGCONT), as in a long GC pause or a suspended VM. The standby leads and commands; the thawed
 * leader still holds the sessions of two agents and is handed a reason to command them (a refresh
 * to a commit the new leader does not follow), yet not one of its commands is accepted: its fence
 * knows its lease is stale, and every agent ends at the new epoch.
 *
 * <p>The proof is the agents' side: the commit only the old leader could send never reaches the
 * engine, the hosts' {@code highestEpoch} is the new leader's, {@code staleCommandsRefused} matches
 * the agents' "refused the assignment" log lines, and no agent was welcomed by the old leader after
 * it thawed.
 */
class LeaderPauseFaultTest extends ReplicaFaultTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  private final ListAppender<ILoggingEvent> linkLog = new ListAppender<>();
  private final Logger linkLogger = (Logger) LoggerFactory.getLogger(AgentLink.class);

  @BeforeEach
  void captureTheAgentsLinkLog() {
    linkLog.start();
    linkLogger.addAppender(linkLog);
  }

  @AfterEach
  void stopCapturing() {
    linkLogger.detachAppender(linkLog);
  }

  @Test
  void aLeaderPausedBeyondItsLeaseHasNoCommandAcceptedAfterItResumes() throws Exception {
    setUp(() -> plainYaml("v1"));
    List<ReplicaProcess> replicas = startReplicas(LEASE, "a", "b");
    ReplicaProcess leader = replicas.get(0);
    ReplicaProcess standby = replicas.get(1);
    startAgents(List.of("r1", "r2"), replicas);
    await("r1 and r2 run v1 under the leader")
        .atMost(CONVERGE)
        .until(() -> versions(runningByHost()).equals(Map.of("r1", "v1", "r2", "v1")));
    Map<String, String> v1 = ids(runningByHost());
    sampleFleet();
    long oldEpoch = leader.epochSeen(admin);
    // The standby fetches this when it is elected; the leader polls hourly and is not told.
    String v2 = repo.commit("Deploy v2", Map.of(appFile(), plainYaml("v2")));

    leader.process().pause();
    long pausedAt = System.nanoTime();
    awaitCommanding(CONVERGE, standby);
    long detectMs = msSince(pausedAt);
    long newEpoch = standby.epochSeen(admin);
    assertTrue(newEpoch > oldEpoch, "a new epoch: " + oldEpoch + " -> " + newEpoch);
    // The new leader's first command: r3, a host that never knew the old one, joins and gets v2.
    startAgents(List.of("r3"), List.of(standby, leader));
    await("r3 runs v2 at the new leader's command")
        .atMost(CONVERGE)
        .until(() -> "v2".equals(versions(runningByHost()).get("r3")));
    long firstCommandMs = msSince(pausedAt);

    // A reason for the old leader to command the moment it thaws: a refresh (read then) to v3,
    // which the new leader does not follow. Only the old leader could send v3 to anyone.
    String v3 = repo.commit("Deploy v3", Map.of(appFile(), plainYaml("v3")));
    CompletableFuture<HttpResponse<Void>> refreshAtOld = refreshLater(leader);
    List<String> stillOnOld =
        List.of("r1", "r2").stream()
            .filter(h -> !"connected".equals(standby.api(admin).hostStatus(h)))
            .toList();
    long pausedMs = msSince(pausedAt);
    assertTrue(pausedMs > LEASE.toMillis(), "paused longer than the lease: " + pausedMs + " ms");
    long resumedWallClock = System.currentTimeMillis();
    leader.process().resume();
    long resumedAt = System.nanoTime();

    await("the old leader knows it no longer leads")
        .atMost(CONVERGE)
        .until(
            () ->
                leader.metric("ogp_leader").orElse(1) == 0
                    && standby.id.equals(leader.leaderSeen(admin)));
    FaultTest.Api api = standby.api(admin);
    awaitAllConnected(api);
    Map<String, Container> onV2 = awaitFleetOn(api, "v2", v2);
    long convergeMs = msSince(resumedAt);
    refreshAtOld.cancel(true);

    assertFalse(fleet.everSeen("v3"), "the old leader's v3 reached no agent:\n" + fleet.history());
    Map<String, JsonNode> hosts = hosts(api);
    long refused = 0;
    for (String host : HOSTS) {
      assertEquals(
          newEpoch, hosts.get(host).path("highestEpoch").asLong(), host + ": " + hosts.get(host));
      refused += hosts.get(host).path("staleCommandsRefused").asLong();
    }
    assertEquals(
        refused,
        linkLines("refused the assignment").size(),
        "every refused command is in the agents' log: " + linkLines(""));
    String oldAgentPort = ":" + leader.agentPort + " ";
    assertEquals(
        List.of(),
        linkLines("connected to ").stream()
            .filter(l -> l.timeStamp() >= resumedWallClock && l.text().contains(oldAgentPort))
            .toList(),
        "no agent was welcomed by the old leader after it thawed");
    assertEquals(
        Optional.empty(),
        fleet.firstStateNotKeeping(v1, pausedAt, resumedAt),
        "r1 and r2 kept their v1 containers while the leader was frozen");
    assertEquals(HOSTS.size(), onV2.size());
    assertTrue(leader.output().contains("no longer leads"), leader.output());
    long fencedByOld = (long) leader.metric("ogp_fenced_commands_total").orElse(-1);

    // The new leader deploys v3 once it is told.
    api.refresh();
    awaitFleetOn(api, "v3", v3);
    assertTrue(fleet.mostRunningOnOneHost() <= 1, fleet.history());
    report(
        "leader SIGSTOP beyond its lease, then SIGCONT (new leader commands / fleet on its version)",
        detectMs,
        convergeMs,
        "paused "
            + pausedMs
            + " ms, the new leader's first command after "
            + firstCommandMs
            + " ms, "
            + stillOnOld
            + " still on the old leader when it thawed, stale commands accepted 0 (refused "
            + refused
            + ", dropped by the old leader's fence "
            + fencedByOld
            + ")");
  }

  /** A log line of the agents' links, with its time. */
  private record Line(long timeStamp, String text) {}

  private List<Line> linkLines(String startingWith) {
    synchronized (linkLog) { // the appender appends under its own lock
      return linkLog.list.stream()
          .map(e -> new Line(e.getTimeStamp(), e.getFormattedMessage()))
          .filter(l -> l.text().startsWith(startingWith))
          .toList();
    }
  }

  private static Map<String, String> versions(Map<String, Container> byHost) {
    Map<String, String> versions = new java.util.TreeMap<>();
    byHost.forEach((host, c) -> versions.put(host, c.getLabels().get(OgpLabels.VERSION)));
    return versions;
  }

  /**
   * POST /api/v1/refresh to a frozen replica: the request waits in its socket and is read when it
   * thaws.
   */
  private CompletableFuture<HttpResponse<Void>> refreshLater(ReplicaProcess replica) {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .build()
        .sendAsync(
            HttpRequest.newBuilder(URI.create(replica.url() + "/api/v1/refresh"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
  }
}
