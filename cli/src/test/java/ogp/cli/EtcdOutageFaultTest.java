package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Fault 4 of docs/ha.md: etcd itself fails under two replicas and a three-host fleet, first in part
 * and then entirely (one test, as an etcd cluster degrades, so the fleet is set up once). One
 * member killed (the one that leads etcd's raft, whom every client's writes reach): nothing changes
 * leader, a commit still deploys. All members down: the leader stops acting within its lease, a
 * commit is not deployed while etcd is down, the agents keep their containers; etcd back, a leader
 * commands again and the commit is deployed.
 */
class EtcdOutageFaultTest extends ReplicaFaultTest {
  private static final Duration LEASE = Duration.ofSeconds(5);

  @Test
  void losingOneEtcdMemberChangesNoLeaderAndLosingAllStopsTheLeaderUntilEtcdReturns()
      throws Exception {
    setUp(() -> plainYaml("v1"));
    List<ReplicaProcess> replicas = startReplicas(LEASE, "a", "b");
    ReplicaProcess leader = replicas.get(0);
    ReplicaProcess standby = replicas.get(1);
    startAgents(HOSTS, replicas);
    FaultTest.Api api = leader.api(admin);
    Map<String, String> v1 = ids(awaitFleetOn(api, "v1", repo.head()));
    sampleFleet();
    long epoch = leader.epochSeen(admin);
    long leaderChanges = (long) standby.metric("ogp_leader_changes_total").orElseThrow();

    // 1. One member: the raft leader.
    int member = etcd.raftLeader().orElseThrow();
    etcd.kill(member);
    long killedAt = System.nanoTime();
    await("etcd elects another raft leader")
        .atMost(CONVERGE)
        .until(() -> etcd.raftLeader().isPresent());
    long raftMs = msSince(killedAt);
    String v2 = repo.commit("Deploy v2", Map.of(appFile(), plainYaml("v2")));
    api.refresh();
    Map<String, String> onV2 = ids(awaitFleetOn(api, "v2", v2));
    long deployedMs = msSince(killedAt);
    await("the leader keeps leading at the same epoch for longer than its lease")
        .during(LEASE.plusSeconds(1))
        .atMost(LEASE.plusSeconds(10))
        .until(
            () -> leader.commanding() && leader.epochSeen(admin) == epoch && !standby.commanding());
    assertEquals(epoch, standby.epochSeen(admin), "the standby sees the same leader term");
    assertEquals(
        leaderChanges,
        (long) standby.metric("ogp_leader_changes_total").orElseThrow(),
        "no leader change");
    for (String host : HOSTS)
      assertEquals(1, fleet.containersOf(host, "v2").size(), host + ":\n" + fleet.history());
    assertEquals(
        Optional.empty(),
        fleet.firstStateNotKeeping(v1, Long.MIN_VALUE, killedAt),
        "every host kept v1 until the commit");
    report(
        "one etcd member (raft leader) killed (etcd's new raft leader / commit deployed)",
        raftMs,
        deployedMs,
        "the same OGP leader at epoch "
            + epoch
            + " for "
            + LEASE.plusSeconds(1).toSeconds()
            + " s");

    // 2. All of etcd.
    etcd.stopAll();
    long stoppedAt = System.nanoTime();
    await("the leader stops commanding")
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !leader.commanding());
    long stoppedMs = msSince(stoppedAt);
    assertTrue(stoppedMs < LEASE.toMillis(), "stopped within the lease: " + stoppedMs + " ms");
    // A commit while etcd is down, and every replica told of it: none may act on it. (The old
    // leader's server may still be closing and take the refresh: its fence drops what it sends.)
    String v3 = repo.commit("Deploy v3", Map.of(appFile(), plainYaml("v3")));
    List<Integer> refreshed = replicas.stream().map(this::refreshStatus).toList();
    await("nothing deploys and nothing commands while etcd is down")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !fleet.everSeen("v3") && !leader.commanding() && !standby.commanding());
    long restartedAt = System.nanoTime();
    assertEquals(
        Optional.empty(),
        fleet.firstStateNotKeeping(onV2, stoppedAt, restartedAt),
        "every host kept its container, running, while etcd was down");

    etcd.startAll();
    ReplicaProcess next = awaitCommanding(CONVERGE, leader, standby);
    long commandsMs = msSince(restartedAt);
    awaitFleetOn(next.api(admin), "v3", v3);
    long convergeMs = msSince(restartedAt);
    for (String host : HOSTS)
      assertEquals(1, fleet.containersOf(host, "v3").size(), host + ":\n" + fleet.history());
    report(
        "all of etcd down, then back (leader stops / commit deployed after etcd returned)",
        stoppedMs,
        convergeMs,
        "a leader commanded "
            + commandsMs
            + " ms after etcd was started again (a refresh during the outage answered "
            + refreshed
            + ")");
  }

  /** The status of {@code POST /api/v1/refresh} on the replica; -1 while nothing answers. */
  private int refreshStatus(ReplicaProcess replica) {
    try {
      return replica.api(admin).send("POST", "/api/v1/refresh", null).statusCode();
    } catch (IllegalStateException nothingListens) {
      return -1;
    }
  }
}
