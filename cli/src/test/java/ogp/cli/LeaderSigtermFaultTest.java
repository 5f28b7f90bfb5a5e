package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Fault 5 of docs/ha.md: SIGTERM of the leader. It stops commanding, resigns and closes; the
 * standby leads (its server commands) within 2 s, the agents follow it, no container is restarted,
 * and a new commit deploys through it.
 */
class LeaderSigtermFaultTest extends ReplicaFaultTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  @Test
  void theLeaderResignsOnSigtermAndTheStandbyCommandsWithinTwoSecondsKeepingEveryContainer()
      throws Exception {
    setUp(() -> plainYaml("v1"));
    List<ReplicaProcess> replicas = startReplicas(LEASE, "a", "b");
    ReplicaProcess leader = replicas.get(0);
    ReplicaProcess standby = replicas.get(1);
    startAgents(HOSTS, replicas);
    Map<String, String> v1 = ids(awaitFleetOn(leader.api(admin), "v1", repo.head()));
    sampleFleet();
    long oldEpoch = leader.epochSeen(admin);

    leader.process().terminate();
    long terminatedAt = System.nanoTime();
    try {
      awaitCommanding(Duration.ofSeconds(2), standby);
    } catch (ConditionTimeoutException e) {
      await().atMost(CONVERGE).until(standby::commanding);
      throw new AssertionError(
          standby.id + " commanded only " + msSince(terminatedAt) + " ms after the SIGTERM", e);
    }
    long takeoverMs = msSince(terminatedAt);
    // 143: the JVM's exit after SIGTERM once its shutdown hooks ran (a SIGKILL would be 137).
    assertEquals(
        143, leader.process().exitWithin(Duration.ofSeconds(20)).orElse(-1), leader.output());
    assertTrue(leader.output().contains("resigned at epoch " + oldEpoch), leader.output());
    FaultTest.Api api = standby.api(admin);
    long newEpoch = standby.epochSeen(admin);
    assertTrue(newEpoch > oldEpoch, "a new epoch: " + oldEpoch + " -> " + newEpoch);
    awaitAllConnected(api);
    long reconnectMs = msSince(terminatedAt);
    awaitAppStatus(api, "/sync", "Synced", "the new leader finds the fleet as it was:");
    assertEquals(
        Optional.empty(),
        fleet.firstStateNotKeeping(v1, terminatedAt, System.nanoTime()),
        "every host kept its v1 container, running, through the failover");

    String v2 = repo.commit("Deploy v2", Map.of(appFile(), plainYaml("v2")));
    long committedAt = System.nanoTime();
    api.refresh();
    Map<String, Container> after = awaitFleetOn(api, "v2", v2);
    long convergeMs = msSince(committedAt);
    assertEquals(HOSTS.size(), after.size());
    assertTrue(fleet.mostRunningOnOneHost() <= 1, fleet.history());
    report(
        "leader SIGTERM (resign)",
        takeoverMs,
        convergeMs,
        "all agents on the new leader after " + reconnectMs + " ms");
  }
}
