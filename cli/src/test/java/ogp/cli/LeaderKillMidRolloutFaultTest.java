package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import ogp.agent.runtime.OgpLabels;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault 1 of docs/ha.md: {@code kill -9} of the leader in the middle of a health-gated rollout over
 * three hosts ({@code maxParallel: 1}). The standby takes over and the rollout goes on from where
 * it was: no host gets its new version twice, never more than one host is between versions, and a
 * failing version is reverted by exactly one commit although the leader that admitted it died.
 *
 * <p>Two samplers run for the whole test: the fleet's containers on the engine every 50 ms, and the
 * app's status every 100 ms from whichever replica serves it (none does during the takeover).
 */
class LeaderKillMidRolloutFaultTest extends ReplicaFaultTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  /** Serves after 2 s: each host stays "between versions" long enough to kill the leader then. */
  private static final String SERVES_AFTER_2S =
      "[\"sh\", \"-c\", \"sleep 2; mkdir -p /www && echo ok > /www/index.html; httpd -f -p 8080 -h"
          + " /www & trap 'kill $!; exit 0' TERM; wait\"]";

  private final List<Map<String, String>> samples = new ArrayList<>();
  private volatile boolean sampling = true;
  private volatile List<ReplicaProcess> replicas = List.of();
  private Thread statusSampler;

  @AfterEach
  void stopSampling() throws InterruptedException {
    sampling = false;
    if (statusSampler != null) statusSampler.join(5_000);
  }

  @Test
  void theStandbyGoesOnWithTheRolloutWhereItWasAndReplacesNoHostTwice() throws Exception {
    ReplicaProcess leader = startFleetOnV1();
    String v2 =
        repo.commit("Deploy v2", Map.of(appFile(), yaml("v2", SERVES_AFTER_2S, false, "10s")));
    leader.api(admin).refresh();
    // In the middle: one host updated, the next one admitted and not healthy yet.
    await("one host updated and the next one on its way")
        .atMost(CONVERGE)
        .until(
            () -> hostStates(leader.api(admin)),
            s -> count(s, "v2 healthy") == 1 && count(s, "v1 healthy") == 1);
    Map<String, String> atKill = hostStates(leader.api(admin));
    leader.process().kill();
    long killedAt = System.nanoTime();
    ReplicaProcess standby = awaitCommanding(CONVERGE, replicas.get(1));
    long takeoverMs = msSince(killedAt);
    FaultTest.Api api = standby.api(admin);

    awaitAllHealthyOn(api, "v2");
    long convergeMs = msSince(killedAt);
    awaitAppStatus(
        api, "/rollout/phase", "Complete", "the rollout completes under the new leader:");
    for (String host : HOSTS)
      assertEquals(
          1,
          fleet.containersOf(host, "v2").size(),
          "the new version was created once on " + host + ":\n" + fleet.history());
    assertTrue(
        fleet.mostHostsWithoutARunningContainer() <= 1,
        "at most one host between versions on the engine:\n" + fleet.history());
    assertAtMostOneHostBetweenVersions("v1", "v2");
    assertEquals(v2, repo.head(), "nothing committed by either leader");
    report(
        "leader kill -9 mid-rollout (new leader commands / rollout complete)",
        takeoverMs,
        convergeMs,
        "killed at " + atKill + ", each host's v2 created once");
  }

  @Test
  void aFailingVersionAdmittedByTheKilledLeaderIsRevertedExactlyOnce() throws Exception {
    ReplicaProcess leader = startFleetOnV1();
    Map<String, String> v1 = ids(runningByHost());
    String broken =
        repo.commit(
            "Deploy v2 that serves nothing", Map.of(appFile(), yaml("v2", QUICK_STOP, true, "6s")));
    leader.api(admin).refresh();
    await("the first host runs the failing version")
        .atMost(CONVERGE)
        .until(() -> hostStates(leader.api(admin)), s -> count(s, "v2") == 1);
    String admitted =
        hostStates(leader.api(admin)).entrySet().stream()
            .filter(e -> e.getValue().startsWith("v2"))
            .findFirst()
            .orElseThrow()
            .getKey();
    leader.process().kill();
    long killedAt = System.nanoTime();
    assertEquals(broken, repo.head(), "the killed leader had not reverted yet");
    // The admitted host comes back to the new leader late, after the healthy deadline (an agent
    // may take the whole lost grace to reconnect): until then its slot must stay taken.
    stopAgent(admitted);
    ReplicaProcess standby = awaitCommanding(CONVERGE, replicas.get(1));
    long takeoverMs = msSince(killedAt);
    FaultTest.Api api = standby.api(admin);
    await("no other host gets the version while " + admitted + " is away")
        .during(Duration.ofSeconds(7))
        .atMost(Duration.ofSeconds(12))
        .until(() -> runsV2().equals(List.of(admitted)));
    restartAgent(admitted);

    await("the new leader reverts").atMost(CONVERGE).until(() -> !repo.head().equals(broken));
    long revertMs = msSince(killedAt);
    awaitAllHealthyOn(api, "v1");
    long convergeMs = msSince(killedAt);
    // A quiet period: a second revert (by a leader that forgot the first) would come within it.
    await("no further commit")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> reverts(broken).size() == 1 && repo.head().equals(reverts(broken).get(0)));
    RevCommit revert = commit(repo.head());
    assertEquals("Revert \"Deploy v2 that serves nothing\"", revert.getShortMessage());
    assertTrue(
        revert.getFullMessage().contains("This reverts commit " + broken + "."),
        revert.getFullMessage());
    assertEquals(
        1,
        api.events("RollbackCommitted", e -> revert.getName().equals(e.path("revision").asText()))
            .size(),
        "the new leader recorded the one revert");
    List<String> ranV2 =
        HOSTS.stream().filter(h -> !fleet.containersOf(h, "v2").isEmpty()).toList();
    assertEquals(1, ranV2.size(), "v2 ran on one host only:\n" + fleet.history());
    for (String host : HOSTS) {
      if (ranV2.contains(host)) continue;
      assertEquals(
          Optional.empty(),
          fleet.firstStateNotKeeping(Map.of(host, v1.get(host)), killedAt, System.nanoTime()),
          host + " kept its v1 container throughout");
    }
    report(
        "leader kill -9 mid-rollout of a failing version (revert by the new leader / fleet back on v1)",
        revertMs,
        convergeMs,
        "the new leader commanded after " + takeoverMs + " ms, 1 revert commit");
  }

  // --- fixtures ----------------------------------------------------------------------------

  /**
   * Etcd, replicas a (leading) and b, the three agents, v1 healthy everywhere, the samplers. The
   * first placement has a deadline a busy machine cannot miss and no automatic rollback: the
   * commits under test set their own.
   */
  private ReplicaProcess startFleetOnV1() throws Exception {
    setUp(() -> yaml("v1", SERVES, false, "60s"));
    replicas = startReplicas(LEASE, "a", "b");
    startAgents(HOSTS, replicas);
    ReplicaProcess leader = replicas.get(0);
    awaitAllHealthyOn(leader.api(admin), "v1");
    sampleFleet();
    statusSampler = new Thread(this::sampleStatus, "rollout-sampler");
    statusSampler.setDaemon(true);
    statusSampler.start();
    return leader;
  }

  private String yaml(String version, String command, boolean autoRollback, String deadline) {
    return fleetYaml(
        version,
        command,
        """
        health:
          http: {port: 8080, path: /}
          interval: 1s
          timeout: 1s
          retries: 2
          startPeriod: 1s
        update:
          maxParallel: 1
          healthyDeadline: %s
          autoRollback: %s
        """
            .formatted(deadline, autoRollback));
  }

  /**
   * Per host, "v1 healthy", "v2 starting", "none", ... as the API of {@code api} shows it now;
   * empty while that replica does not serve the app's status or does not know every host yet.
   */
  private Map<String, String> hostStates(FaultTest.Api api) {
    JsonNode status = api.app(app);
    if (status.path("hosts").size() != HOSTS.size()) return Map.of();
    Map<String, String> states = new TreeMap<>();
    for (JsonNode h : status.path("hosts")) {
      if ("Unknown".equals(h.path("sync").asText())) return Map.of();
      String state = "none";
      for (JsonNode c : h.path("containers")) {
        if ("running".equals(c.path("state").asText()))
          state = c.path("version").asText() + " " + c.path("health").asText();
      }
      states.put(h.path("host").asText(), state);
    }
    return states;
  }

  private void sampleStatus() {
    while (sampling) {
      try {
        for (ReplicaProcess replica : replicas) {
          Map<String, String> s = hostStates(replica.api(admin));
          if (s.isEmpty()) continue;
          synchronized (samples) {
            samples.add(s);
          }
        }
        Thread.sleep(100); // the sampling period, not a wait for an outcome
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // a replica may be down or busy during the fault: sample again
      }
    }
  }

  private void awaitAllHealthyOn(FaultTest.Api api, String version) {
    await("every host healthy on " + version)
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Map<String, String> now = hostStates(api);
              assertTrue(
                  !now.isEmpty() && now.values().stream().allMatch((version + " healthy")::equals),
                  () -> "every host healthy on " + version + ": " + now + " " + describe());
            });
  }

  /** Hosts in a state that starts with {@code prefix}, e.g. "v2" or "v2 healthy". */
  private static int count(Map<String, String> sample, String prefix) {
    return (int)
        sample.values().stream()
            .filter(s -> s.equals(prefix) || s.startsWith(prefix + " "))
            .count();
  }

  /** maxParallel 1: at every sample at most one host is neither healthy on one nor the other. */
  private void assertAtMostOneHostBetweenVersions(String from, String to) {
    Predicate<String> settled = v -> v.equals(from + " healthy") || v.equals(to + " healthy");
    synchronized (samples) {
      for (Map<String, String> s : samples) {
        long between = s.values().stream().filter(settled.negate()).count();
        assertTrue(between <= 1, "at most one host between versions, but: " + s);
      }
      assertTrue(samples.size() > 10, "the status sampler ran: " + samples.size());
    }
  }

  /** The hosts whose containers include v2 now. */
  private List<String> runsV2() {
    return containers().stream()
        .filter(c -> "v2".equals(c.getLabels().get(OgpLabels.VERSION)))
        .map(c -> c.getLabels().get(OgpLabels.SCOPE_HOST))
        .distinct()
        .sorted()
        .toList();
  }

  /** The commits after {@code since} on main whose message says they revert it, newest first. */
  private List<String> reverts(String since) throws Exception {
    List<String> found = new ArrayList<>();
    try (Git git = new Git(repo.repository())) {
      for (RevCommit c :
          git.log()
              .addRange(repo.repository().resolve(since), repo.repository().resolve("main"))
              .call()) {
        if (c.getFullMessage().contains("This reverts commit " + since)) found.add(c.getName());
      }
    }
    return found;
  }

  private RevCommit commit(String sha) throws Exception {
    try (org.eclipse.jgit.revwalk.RevWalk walk =
        new org.eclipse.jgit.revwalk.RevWalk(repo.repository())) {
      return walk.parseCommit(repo.repository().resolve(sha));
    }
  }
}
