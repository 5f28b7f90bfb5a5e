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
    List<TcpRelay> relays = new ArrayList<>();
    for (int member = 0; member < etcd.size(); member++)
      relays.add(
          closeAfterTest(
              TcpRelay.open(EtcdTestCluster.freePort(), etcd.endpoint(member).getPort())));
    String throughRelays =
        relays.stream().map(r -> "http://127.0.0.1:" + r.port()).collect(Collectors.joining(","));
    List<ReplicaProcess> replicas =
        startReplicas(LEASE, id -> id.equals("a") ? throughRelays : etcd.flag(), "a", "b");
    ReplicaProcess a = replicas.get(0);
    ReplicaProcess b = replicas.get(1);
    startAgents(HOSTS, replicas);
    Map<String, String> v1 = ids(awaitFleetOn(a.api(admin), "v1", repo.head()));
    sampleFleet();
    long epochA = a.epochSeen(admin);

    for (TcpRelay relay : relays) relay.cut();
    long cutAt = System.nanoTime();
    await("a stops commanding")
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !a.commanding());
    long fencedMs = msSince(cutAt);
    assertTrue(
        fencedMs < LEASE.toMillis(),
        "a fenced itself before its lease could expire: " + fencedMs + " ms");
    awaitCommanding(CONVERGE, b);
    long takeoverMs = msSince(cutAt);
    await("a says it does not lead")
        .atMost(CONVERGE)
        .until(() -> a.metric("ogp_leader").orElse(-1) == 0);
    assertTrue(a.output().contains("no longer leads at epoch " + epochA), a.output());
    FaultTest.Api api = b.api(admin);
    long epochB = b.epochSeen(admin);
    assertTrue(epochB > epochA, "a new epoch: " + epochA + " -> " + epochB);
    awaitAllConnected(api);
    long followedMs = msSince(cutAt);
    awaitAppStatus(api, "/sync", "Synced", "b finds the fleet as it was:");
    Map<String, JsonNode> hosts = hosts(api);
    for (String host : HOSTS)
      assertEquals(
          epochB, hosts.get(host).path("highestEpoch").asLong(), host + ": " + hosts.get(host));
    assertEquals(
        Optional.empty(),
        fleet.firstStateNotKeeping(v1, cutAt, System.nanoTime()),
        "every host kept its v1 container while the leader changed");

    String v2 = repo.commit("Deploy v2", Map.of(appFile(), plainYaml("v2")));
    long committedAt = System.nanoTime();
    api.refresh();
    awaitFleetOn(api, "v2", v2);
    long convergeMs = msSince(committedAt);

    // Healed: a reaches etcd again and stands by behind b.
    for (TcpRelay relay : relays) relay.open();
    await("a rejoins as a standby of b")
        .atMost(CONVERGE)
        .until(() -> "b".equals(a.leaderSeen(admin)) && a.epochSeen(admin) == epochB);
    assertTrue(b.commanding(), "b still leads");
    report(
        "leader cut off from etcd (a fenced / agents on b)",
        fencedMs,
        followedMs,
        "b commanded after " + takeoverMs + " ms, a commit deployed by b in " + convergeMs + " ms");
  }
}
