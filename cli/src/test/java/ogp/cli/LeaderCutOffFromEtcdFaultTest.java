package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import ogp.cluster.EtcdTestCluster;
import org.junit.jupiter.api.Test;

/**
 * Fault 3 of docs/ha.md: the leader cut off from etcd but not from its agents. Replica a reaches
 * each etcd member through a {@link TcpRelay} the test cuts; b and the agents reach everything. The
 * leader fences itself before its lease can have expired (its {@code ogp_leader} turns 0 and it
 * closes its server), b leads once the lease expired, every agent follows b at b's epoch, and no
 * container is touched. When the relays open again a rejoins as a standby.
 */
class LeaderCutOffFromEtcdFaultTest extends ReplicaFaultTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  @Test
  void aLeaderCutOffFromEtcdFencesItselfAndTheAgentsFollowTheNewLeader() throws Exception {
    setUp(() -> plainYaml("v1"));
    Map<String, List<TcpRelay>> relaysOf = new HashMap<>();
    for (String id : List.of("a", "b")) {
      List<TcpRelay> relays = new ArrayList<>();
      for (int member = 0; member < etcd.size(); member++)
        relays.add(
            closeAfterTest(
                TcpRelay.open(EtcdTestCluster.freePort(), etcd.endpoint(member).getPort())));
      relaysOf.put(id, relays);
    }
    List<ReplicaProcess> replicas =
        startReplicas(
            LEASE,
            id ->
                relaysOf.get(id).stream()
                    .map(r -> "http://127.0.0.1:" + r.port())
                    .collect(Collectors.joining(",")),
            "a",
            "b");
    ReplicaProcess leader = replicas.get(0);
    ReplicaProcess standby = replicas.get(1);
    startAgents(HOSTS, replicas);
    Map<String, String> v1 = ids(awaitFleetOn(leader.api(admin), "v1", repo.head()));
    sampleFleet();
    long oldEpoch = leader.epochSeen(admin);

    for (TcpRelay relay : relaysOf.get(leader.id)) relay.cut();
    long cutAt = System.nanoTime();
    await("the leader stops commanding")
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !leader.commanding());
    long fencedMs = msSince(cutAt);
    assertTrue(
        fencedMs < LEASE.toMillis(),
        "it fenced itself before its lease could expire: " + fencedMs + " ms");
    awaitCommanding(CONVERGE, standby);
    long takeoverMs = msSince(cutAt);
    await("the old leader says it does not lead")
        .atMost(CONVERGE)
        .until(() -> leader.metric("ogp_leader").orElse(-1) == 0);
    assertTrue(leader.output().contains("no longer leads at epoch " + oldEpoch), leader.output());
    FaultTest.Api api = standby.api(admin);
    long newEpoch = standby.epochSeen(admin);
    assertTrue(newEpoch > oldEpoch, "a new epoch: " + oldEpoch + " -> " + newEpoch);
    awaitAllConnected(api);
    long followedMs = msSince(cutAt);
    awaitAppStatus(api, "/sync", "Synced", "the new leader finds the fleet as it was:");
    Map<String, JsonNode> hosts = hosts(api);
    for (String host : HOSTS)
      assertEquals(
          newEpoch, hosts.get(host).path("highestEpoch").asLong(), host + ": " + hosts.get(host));
    assertEquals(
        Optional.empty(),
        fleet.firstStateNotKeeping(v1, cutAt, System.nanoTime()),
        "every host kept its v1 container while the leader changed");

    String v2 = repo.commit("Deploy v2", Map.of(appFile(), plainYaml("v2")));
    long committedAt = System.nanoTime();
    api.refresh();
    awaitFleetOn(api, "v2", v2);
    long convergeMs = msSince(committedAt);

    // Healed: the old leader reaches etcd again and stands by behind the new one.
    for (TcpRelay relay : relaysOf.get(leader.id)) relay.open();
    await("the old leader rejoins as a standby")
        .atMost(CONVERGE)
        .until(
            () ->
                standby.id.equals(leader.leaderSeen(admin)) && leader.epochSeen(admin) == newEpoch);
    assertTrue(standby.commanding(), "the new leader still leads");
    report(
        "leader cut off from etcd (old leader fenced / agents on the new one)",
        fencedMs,
        followedMs,
        "the new leader commanded after "
            + takeoverMs
            + " ms, a commit deployed through it in "
            + convergeMs
            + " ms");
  }
}
