package ogp.cluster;

import static ogp.cluster.EtcdFencedStoreTest.utf8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** etcd members lost under a leader: each test on its own three-member cluster. */
class EtcdFaultsTest {
  private EtcdTestCluster etcd;
  private TestReplicas replicas;

  @BeforeEach
  void startEtcd() {
    etcd = EtcdTestCluster.startNew(3);
  }

  @AfterEach
  void stop() {
    if (replicas != null) replicas.close();
    if (etcd != null) etcd.close();
  }

  /**
   * The member killed is the raft leader: every client's requests reach it (jetcd spreads calls
   * over all endpoints, and followers forward writes and lease renewals to the raft leader), so it
   * is the one the leader's client uses, whichever endpoint it dialled.
   */
  @Test
  void killingTheEtcdMemberThatLeadsRaftChangesNoLeadershipAndWritesGoOn() {
    // A 5 s lease leaves 3.75 s of keep-alive window: more than etcd's own raft election takes.
    replicas = new TestReplicas(etcd, Duration.ofSeconds(5));
    EtcdLeadership a = replicas.start("a");
    EtcdLeadership b = replicas.start("b");
    EtcdLeadership leader = awaitOneLeader(a, b);
    EtcdLeadership standby = leader == a ? b : a;
    long epoch = leader.epoch();
    long changes = leader.leaderChanges();
    int raftLeader = etcd.raftLeader().orElseThrow();

    etcd.kill(raftLeader);

    await("a write succeeds without the killed member")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> leader.store().put("gates/web", utf8("batch 3")));
    await("the leadership holds for longer than the lease's TTL")
        .during(replicas.ttl().plusSeconds(1))
        .atMost(replicas.ttl().plusSeconds(5))
        .until(
            () ->
                leader.mayCommand()
                    && leader.epoch() == epoch
                    && !standby.leading()
                    && standby.leader().map(l -> l.epoch() == epoch).orElse(false));
    assertTrue(leader.store().put("gates/web", utf8("batch 4")));
    assertEquals(changes, leader.leaderChanges());
  }

  @Test
  void withAllOfEtcdDownTheLeaderStopsCommandingBeforeItsLeaseCouldExpireAndLeadsAgainAfter() {
    replicas = new TestReplicas(etcd);
    EtcdLeadership a = replicas.start("a");
    EtcdLeadership b = replicas.start("b");
    EtcdLeadership leader = awaitOneLeader(a, b);
    EtcdLeadership standby = leader == a ? b : a;
    RecordingListener heard = new RecordingListener();
    leader.addListener(heard);
    long epoch = leader.epoch();

    etcd.stopAll();
    // No keep-alive can succeed from here on: the lease may expire TTL after the last one was sent.
    Duration left = replicas.ttl().minus(leader.leaseAge());

    await("the leader stops commanding before its lease could have expired")
        .atMost(left)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !leader.mayCommand());
    await("it is told it no longer leads")
        .atMost(Duration.ofSeconds(1))
        .until(() -> heard.heard("deposed"));
    assertFalse(leader.leading());
    assertFalse(standby.mayCommand());
    assertFalse(leader.store().put("gates/web", utf8("not leading: not even sent")));

    etcd.startAll();

    EtcdLeadership next = awaitOneLeader(Duration.ofSeconds(20), a, b);
    assertTrue(next.epoch() > epoch, next.epoch() + " > " + epoch);
    await("writes work again")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> next.store().put("gates/web", utf8("after the outage")));
  }

  private static EtcdLeadership awaitOneLeader(EtcdLeadership... all) {
    return awaitOneLeader(Duration.ofSeconds(10), all);
  }

  private static EtcdLeadership awaitOneLeader(Duration within, EtcdLeadership... all) {
    await("one leader commanding")
        .atMost(within)
        .until(
            () ->
                Stream.of(all).filter(EtcdLeadership::leading).count() == 1
                    && Stream.of(all).anyMatch(EtcdLeadership::mayCommand));
    List<EtcdLeadership> leading = Stream.of(all).filter(EtcdLeadership::leading).toList();
    assertEquals(1, leading.size());
    return leading.get(0);
  }
}
