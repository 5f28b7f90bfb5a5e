package ogp.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.autorollback.RevertClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Automatic-revert claims across leaders, on a real three-member etcd. */
class RevertClaimsOnEtcdTest {
  private static final String FAILED = "0123456789abcdef0123456789abcdef01234567";
  private static final String LATER = "89abcdef0123456789abcdef0123456789abcdef";
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
  void aRevertClaimedByOneLeaderCannotBeClaimedAgainByTheNextLeader() {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    RevertClaims aClaims = claims(a);
    RevertClaims bClaims = claims(b);

    assertTrue(aClaims.claim("web", FAILED), "the leader claims the revert");
    assertFalse(aClaims.claim("web", FAILED), "once");
    assertFalse(bClaims.claim("web", LATER), "a standby is granted nothing");

    a.close(); // resigns and revokes its lease: b leads
    await("b leads").atMost(Duration.ofSeconds(10)).until(b::mayCommand);

    assertFalse(bClaims.claim("web", FAILED), "the next leader cannot claim it again");
    assertTrue(bClaims.claim("web", LATER), "another failed revision is another claim");
  }

  @Test
  void aDeposedLeaderIsGrantedNoClaimAndLeavesNoKeyBehind() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    Fence old = a.fence().orElseThrow();
    replicas.raw().getLeaseClient().revoke(a.leaseId()).get(5, TimeUnit.SECONDS);
    await("b leads").atMost(Duration.ofSeconds(10)).until(b::mayCommand);

    // A claim that left a before it knew it was deposed: only etcd's guard stops it.
    EtcdFencedStore late =
        new EtcdFencedStore(
            replicas.raw().getKVClient(),
            replicas.raw().getLeaseClient(),
            replicas.raw().getWatchClient(),
            replicas.prefix(),
            Duration.ofSeconds(3),
            () -> Optional.of(old),
            null);
    try {
      assertFalse(new EtcdRevertClaims(late, "a", Clock.systemUTC()).claim("web", FAILED));
      assertEquals(1, late.fencedWrites());
    } finally {
      late.close();
    }
    assertTrue(claimKey("web", FAILED).isEmpty(), "nothing written");
    assertFalse(claims(a).claim("web", FAILED), "nor once a knows");

    assertTrue(claims(b).claim("web", FAILED), "the claim is still free for the leader");
  }

  @Test
  void aClaimLivesOnALeaseOfItsOwnForADayAndOutlivesItsLeader() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    long leadersLease = a.leaseId();

    assertTrue(claims(a).claim("web", FAILED));
    a.close();

    KeyValue claim = claimKey("web", FAILED).orElseThrow(() -> new AssertionError("claim gone"));
    assertNotEquals(0, claim.getLease());
    assertNotEquals(leadersLease, claim.getLease());
    LeaseTimeToLiveResponse ttl =
        replicas
            .raw()
            .getLeaseClient()
            .timeToLive(claim.getLease(), LeaseOption.DEFAULT)
            .get(5, TimeUnit.SECONDS);
    assertEquals(EtcdRevertClaims.TTL.toSeconds(), ttl.getGrantedTTL());
    assertTrue(ttl.getTTL() > EtcdRevertClaims.TTL.toSeconds() - 60, "ttl left: " + ttl.getTTL());
    assertTrue(
        claim
            .getValue()
            .toString(java.nio.charset.StandardCharsets.UTF_8)
            .contains("\"member\":\"a\""));
  }

  private static RevertClaims claims(EtcdLeadership replica) {
    return new EtcdRevertClaims(replica.store(), replica.self().id(), Clock.systemUTC());
  }

  private Optional<KeyValue> claimKey(String app, String revision) throws Exception {
    List<KeyValue> found =
        replicas
            .raw()
            .getKVClient()
            .get(
                TestReplicas.bytes(
                    replicas.prefix()
                        + "state/"
                        + EtcdRevertClaims.KEY_PREFIX
                        + app
                        + "@"
                        + revision))
            .get(5, TimeUnit.SECONDS)
            .getKvs();
    return found.stream().findFirst();
  }
}
