package ogp.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The election on a real three-member etcd: who leads, at which epoch, and how a term ends. */
class EtcdLeadershipTest {
  private static EtcdTestCluster etcd;
  private TestReplicas replicas;

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdTestCluster.startNew(3);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) etcd.close();
  }

  @BeforeEach
  void replicas() {
    replicas = new TestReplicas(etcd);
  }

  @AfterEach
  void closeReplicas() {
    replicas.close();
  }

  @Test
  void twoReplicasElectExactlyOneLeaderAndBothSeeItAtTheLeaderKeysCreationRevision()
      throws Exception {
    EtcdLeadership a = replicas.start("a");
    EtcdLeadership b = replicas.start("b");

    EtcdLeadership leader = awaitOneLeader(a, b);
    EtcdLeadership standby = leader == a ? b : a;
    await("both see the leader")
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.leader().isPresent() && a.leader().equals(b.leader()));

    assertFalse(standby.leading());
    assertFalse(standby.mayCommand());
    assertEquals(0, standby.epoch());
    assertTrue(leader.mayCommand());
    assertEquals(leader.self(), a.leader().get().member());
    assertEquals(leader.epoch(), a.leader().get().epoch());
    assertEquals(replicas.leaderKey().get().getCreateRevision(), leader.epoch());
  }

  @Test
  void listenersHearTheCurrentStateAtOnceAndEveryChangeOnTheLeadershipsOwnThread() {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::leading);
    RecordingListener heard = new RecordingListener();
    a.addListener(heard);
    await("told the current state")
        .atMost(Duration.ofSeconds(2))
        .until(() -> heard.heard("elected " + a.epoch()) && heard.heard("leader a@" + a.epoch()));

    a.resign();

    await("told of the resignation")
        .atMost(Duration.ofSeconds(2))
        .until(() -> heard.heard("deposed resigned"));
    assertTrue(
        heard.threads().stream().allMatch("ogp-etcd-listeners"::equals),
        "listener threads: " + heard.threads());
  }

  @Test
  void closingTheLeaderHandsLeadershipToTheOtherWithinASecondAtAHigherEpoch() {
    EtcdLeadership a = replicas.start("a");
    EtcdLeadership b = replicas.start("b");
    EtcdLeadership leader = awaitOneLeader(a, b);
    EtcdLeadership standby = leader == a ? b : a;
    long before = leader.epoch();

    long closing = System.nanoTime();
    leader.close();

    await("the standby leads")
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(standby::mayCommand);
    assertTrue(standby.epoch() > before, standby.epoch() + " > " + before);
    assertFalse(leader.leading());
    assertFalse(leader.mayCommand());
    System.out.printf(
        "close -> standby commanding: %d ms%n", (System.nanoTime() - closing) / 1_000_000);
  }

  @Test
  void resignHandsOverAtOnceAndTheReplicaCampaignsNoMore() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::leading);
    EtcdLeadership b = replicas.start("b");
    await("b is a candidate")
        .atMost(Duration.ofSeconds(5))
        .until(() -> replicas.electionKeys().size() == 2);

    a.resign();

    await("b leads").atMost(Duration.ofSeconds(1)).until(b::mayCommand);
    assertFalse(a.leading());
    b.resign();
    await("no candidate is left")
        .atMost(Duration.ofSeconds(5))
        .until(() -> replicas.electionKeys().isEmpty());
    assertFalse(a.leading());
    assertFalse(b.leading());
  }

  @Test
  void aLeaderWhoseLeaseIsRevokedFromOutsideIsDeposedAndTheOtherLeads() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::leading);
    EtcdLeadership b = replicas.start("b");
    RecordingListener heardByA = new RecordingListener();
    a.addListener(heardByA);
    long before = a.epoch();

    replicas.raw().getLeaseClient().revoke(a.leaseId()).get(5, TimeUnit.SECONDS);

    await("a is fenced").atMost(Duration.ofSeconds(4)).until(() -> !a.mayCommand());
    await("b leads").atMost(Duration.ofSeconds(4)).until(b::mayCommand);
    assertTrue(b.epoch() > before);
    await("a was told").atMost(Duration.ofSeconds(2)).until(() -> heardByA.heard("deposed"));
    await("a sees b")
        .atMost(Duration.ofSeconds(3))
        .until(() -> a.leader().map(l -> l.member().id().equals("b")).orElse(false));
    await("a is a member again, on a new lease")
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.members().size() == 2);
    assertFalse(a.leading());
  }

  @Test
  void aDeposedLeadersWritesAreFencedAndChangeNothingWhileTheNewLeadersSucceed() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    assertTrue(a.store().put("rollout/web", utf8("batch 1")));
    Fence old = a.fence().orElseThrow();

    replicas.raw().getLeaseClient().revoke(a.leaseId()).get(5, TimeUnit.SECONDS);
    await("b leads").atMost(Duration.ofSeconds(4)).until(b::mayCommand);

    // A write that left the deposed leader before it knew: only etcd's guard stops it.
    EtcdFencedStore late =
        new EtcdFencedStore(
            replicas.raw().getKVClient(),
            replicas.raw().getLeaseClient(),
            replicas.raw().getWatchClient(),
            replicas.prefix(),
            Duration.ofSeconds(3),
            () -> Optional.of(old),
            null);
    assertFalse(late.put("rollout/web", utf8("batch 2 from the old leader")));
    assertFalse(late.delete("rollout/web"));
    assertEquals(2, late.fencedWrites());
    late.close();
    await("a knows").atMost(Duration.ofSeconds(4)).until(() -> !a.leading());
    assertFalse(a.store().put("rollout/web", utf8("batch 2 from a")));
    assertTrue(a.fencedWrites() >= 1);
    assertEquals("batch 1", text(b.store().get("rollout/web")));

    assertTrue(b.store().put("rollout/web", utf8("batch 2")));
    assertEquals("batch 2", text(a.store().get("rollout/web")));
    assertEquals(0, b.fencedWrites());
  }

  @Test
  void aLeaderKeyThatHoldsNoMemberMakesTheLeaderUnknownToTheOthers() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::leading);
    EtcdLeadership b = replicas.start("b");
    await("b sees a").atMost(Duration.ofSeconds(5)).until(() -> b.leader().isPresent());
    KeyValue key = replicas.leaderKey().orElseThrow();

    // Same key, same creation revision, a value that is no member (with an escape sequence).
    replicas
        .raw()
        .getKVClient()
        .put(
            key.getKey(),
            bytes("{\"id\": \"\u001b[31mforged\"}"),
            PutOption.builder().withLeaseId(key.getLease()).build())
        .get(5, TimeUnit.SECONDS);

    await("b no longer knows the leader")
        .atMost(Duration.ofSeconds(3))
        .until(() -> b.leader().isEmpty());
    assertFalse(b.leading());
    assertTrue(a.leading(), "a still holds its key");

    replicas
        .raw()
        .getKVClient()
        .put(
            key.getKey(),
            ByteSequence.from(MemberJson.write(a.self())),
            PutOption.builder().withLeaseId(key.getLease()).build())
        .get(5, TimeUnit.SECONDS);
    await("b sees a again")
        .atMost(Duration.ofSeconds(3))
        .until(() -> b.leader().map(l -> l.member().id().equals("a")).orElse(false));
  }

  @Test
  void aReplicaBehindAMalformedLeaderKeyKnowsNoLeaderAndLeadsWhenTheKeyIsGone() throws Exception {
    ByteSequence forged = bytes(replicas.prefix() + "leader/0");
    long written =
        replicas
            .raw()
            .getKVClient()
            .put(forged, bytes("not json"))
            .get(5, TimeUnit.SECONDS)
            .getHeader()
            .getRevision();
    EtcdLeadership a = replicas.start("a");
    await("a is a candidate")
        .atMost(Duration.ofSeconds(5))
        .until(() -> replicas.electionKeys().size() == 2);

    await("a took in a sighting of the forged key")
        .atMost(Duration.ofSeconds(3))
        .until(() -> a.sightedRevision() >= written);
    assertTrue(a.leader().isEmpty());
    assertFalse(a.leading());
    assertFalse(a.mayCommand());
    assertEquals(0, a.leaderChanges());

    replicas.raw().getKVClient().delete(forged).get(5, TimeUnit.SECONDS);
    await("a leads").atMost(Duration.ofSeconds(3)).until(a::mayCommand);
    await("a sees itself").atMost(Duration.ofSeconds(3)).until(() -> a.leader().isPresent());
    assertEquals(1, a.leaderChanges());
  }

  private static ByteSequence bytes(String text) {
    return EtcdCalls.bytes(text);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Optional<byte[]> value) {
    return new String(value.orElseThrow(), StandardCharsets.UTF_8);
  }

  private static EtcdLeadership awaitOneLeader(EtcdLeadership... all) {
    await("one leader")
        .atMost(Duration.ofSeconds(10))
        .until(() -> Stream.of(all).filter(EtcdLeadership::leading).count() == 1);
    List<EtcdLeadership> leading = Stream.of(all).filter(EtcdLeadership::leading).toList();
    assertEquals(1, leading.size());
    return leading.get(0);
  }
}
