package ogp.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.LeaseOption;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease on a real etcd: kept alive past its TTL, and lost at once when etcd says so. */
class LeaseKeeperTest {
  private static final Duration TTL = Duration.ofSeconds(3);
  private static EtcdTestCluster etcd;
  private Client client;
  private ScheduledThreadPoolExecutor timer;
  private LeaseKeeper keeper;
  private final AtomicLong lost = new AtomicLong();

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdTestCluster.startNew(1);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) etcd.close();
  }

  @BeforeEach
  void keeper() {
    client = Client.builder().endpoints(etcd.endpoints().toArray(URI[]::new)).build();
    timer = Timers.single("test-timer");
    keeper =
        new LeaseKeeper(
            client.getLeaseClient(),
            new LeaseFreshness(TTL),
            Duration.ofSeconds(2),
            timer,
            System::nanoTime,
            lost::set);
    keeper.start();
  }

  @AfterEach
  void close() {
    keeper.close();
    timer.shutdownNow();
    client.close();
  }

  @Test
  void keepAlivesKeepTheLeaseFreshLongPastItsTtl() throws Exception {
    long id = keeper.ensure();

    await("fresh for longer than the TTL")
        .during(TTL.plusSeconds(1))
        .atMost(TTL.plusSeconds(2))
        .until(() -> keeper.fresh(id) && keeper.age().compareTo(Duration.ofSeconds(1)) < 0);
    assertTrue(
        client
                .getLeaseClient()
                .timeToLive(id, LeaseOption.DEFAULT)
                .get(5, TimeUnit.SECONDS)
                .getTTL()
            > 0);
    assertEquals(0, keeper.failures());
  }

  @Test
  void aLeaseRevokedFromOutsideIsForgottenAtOnceAndReportedLost() throws Exception {
    long id = keeper.ensure();

    client.getLeaseClient().revoke(id).get(5, TimeUnit.SECONDS);

    await("the next keep-alive finds the lease gone")
        .atMost(TTL)
        .until(() -> keeper.leaseId() == 0);
    assertFalse(keeper.fresh(id));
    await("told").atMost(Duration.ofSeconds(1)).until(() -> lost.get() == id);
    assertTrue(keeper.failures() >= 1);
    long next = keeper.ensure();
    assertTrue(next != id && keeper.fresh(next));
  }
}
