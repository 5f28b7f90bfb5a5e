package ogp.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared state on a real three-member etcd: reads, first-writer-wins, watches. */
class EtcdFencedStoreTest {
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
  void putIfAbsentFromTwoReplicasRacingGivesBothTheSameValue() throws Exception {
    EtcdLeadership a = replicas.start("a");
    EtcdLeadership b = replicas.start("b");
    for (int round = 0; round < 20; round++) {
      String key = "ca/round-" + round;
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<byte[]> fromA =
          CompletableFuture.supplyAsync(() -> race(go, a, key, "from a"));
      CompletableFuture<byte[]> fromB =
          CompletableFuture.supplyAsync(() -> race(go, b, key, "from b"));
      go.countDown();

      String gotA = text(fromA.get(10, TimeUnit.SECONDS));
      String gotB = text(fromB.get(10, TimeUnit.SECONDS));
      assertEquals(gotA, gotB, "round " + round);
      assertEquals(gotA, text(a.store().get(key).orElseThrow()));
    }
  }

  @Test
  void aFencedPutIfAbsentWritesOnceOnALeasedKeyAndNeverForAReplicaThatDoesNotLead()
      throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    String key = "autorevert/web@0123456789abcdef0123456789abcdef01234567";

    assertFalse(b.store().putIfAbsentFenced(key, utf8("b"), Duration.ofDays(1)), "b does not lead");
    assertTrue(a.store().putIfAbsentFenced(key, utf8("a"), Duration.ofDays(1)));
    assertFalse(a.store().putIfAbsentFenced(key, utf8("a again"), Duration.ofDays(1)), "once");
    assertEquals("a", text(b.store().get(key).orElseThrow()));
    long lease =
        replicas
            .raw()
            .getKVClient()
            .get(TestReplicas.bytes(replicas.prefix() + "state/" + key))
            .get(5, TimeUnit.SECONDS)
            .getKvs()
            .get(0)
            .getLease();
    assertTrue(lease != 0, "the claim lives on a lease of its own, so etcd expires it");
  }

  private static byte[] race(CountDownLatch go, EtcdLeadership replica, String key, String value) {
    try {
      go.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return replica.store().putIfAbsent(key, utf8(value));
  }

  @Test
  void getAndListReadWhatTheLeaderWroteUnderTheirPrefixOnly() {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    assertTrue(a.store().put("gates/web", utf8("batch 2")));
    assertTrue(a.store().put("gates/api", utf8("batch 1")));
    assertTrue(a.store().put("gatesX", utf8("not under gates/")));

    assertEquals("batch 2", text(a.store().get("gates/web").orElseThrow()));
    assertTrue(a.store().get("gates/none").isEmpty());
    List<String> listed = new ArrayList<>();
    a.store().list("gates/").forEach((key, value) -> listed.add(key + "=" + text(value)));
    assertEquals(List.of("gates/api=batch 1", "gates/web=batch 2"), listed);

    assertTrue(a.store().delete("gates/web"));
    assertTrue(a.store().get("gates/web").isEmpty());
  }

  @Test
  void aStandbysWritesAreRefusedWithoutChangingAnything() {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    assertTrue(a.store().put("tokens/ci", utf8("hash 1")));

    assertFalse(b.store().put("tokens/ci", utf8("hash 2")));
    assertFalse(b.store().delete("tokens/ci"));

    assertEquals("hash 1", text(b.store().get("tokens/ci").orElseThrow()));
    assertEquals(2, b.fencedWrites());
  }

  @Test
  void aWatchSeesPutsAndDeletesInOrderOnTheStoresThreadUntilItIsClosed() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    assertTrue(a.store().put("dedupe/before", utf8("not seen: before the watch")));
    List<String> seen = new ArrayList<>();
    List<String> threads = new ArrayList<>();
    AutoCloseable watch =
        b.store()
            .watch(
                "dedupe/",
                (key, value) -> {
                  synchronized (seen) {
                    seen.add(key + "=" + value.map(EtcdFencedStoreTest::text).orElse("(deleted)"));
                    threads.add(Thread.currentThread().getName());
                  }
                });
    List<String> other = new ArrayList<>();
    AutoCloseable stillOpen =
        b.store()
            .watch(
                "dedupe/",
                (key, value) -> {
                  synchronized (other) {
                    other.add(key);
                  }
                });

    assertTrue(a.store().put("dedupe/1", utf8("one")));
    assertTrue(a.store().put("dedupe/2", utf8("two")));
    assertTrue(a.store().delete("dedupe/1"));
    assertTrue(a.store().put("other/3", utf8("not under the prefix")));

    List<String> expected = List.of("dedupe/1=one", "dedupe/2=two", "dedupe/1=(deleted)");
    await("the watch saw the changes")
        .atMost(Duration.ofSeconds(5))
        .until(() -> snapshot(seen).equals(expected));
    assertTrue(snapshot(threads).stream().allMatch("ogp-etcd-watch"::equals), "" + threads);

    watch.close();
    assertTrue(a.store().put("dedupe/after", utf8("after the close")));
    await("the other watch saw the put after the close")
        .atMost(Duration.ofSeconds(5))
        .until(() -> snapshot(other).contains("dedupe/after"));
    assertEquals(expected, snapshot(seen));
    stillOpen.close();
  }

  @Test
  void everyStoreCallFailsWithClusterUnavailableWithinTheCallTimeoutWhenEtcdIsUnreachable() {
    URI nowhere = URI.create("http://127.0.0.1:" + EtcdTestCluster.freePort());
    EtcdSettings settings =
        new EtcdSettings(
            List.of(nowhere),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            replicas.prefix(),
            Duration.ofSeconds(3),
            Duration.ofMillis(500));
    try (EtcdLeadership lonely =
        EtcdLeadership.start(settings, TestReplicas.member("lonely"), Clock.systemUTC())) {
      long start = System.nanoTime();
      assertThrows(ClusterUnavailable.class, () -> lonely.store().get("x"));
      assertThrows(ClusterUnavailable.class, () -> lonely.store().list("x"));
      assertThrows(ClusterUnavailable.class, () -> lonely.store().putIfAbsent("x", utf8("1")));
      assertThrows(ClusterUnavailable.class, () -> lonely.store().watch("x", (k, v) -> {}));
      assertFalse(lonely.store().put("x", utf8("not leading: not even asked")));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMillis < 4 * 500 + 1000, "took " + tookMillis + " ms");
      assertFalse(lonely.leading());
      assertFalse(lonely.mayCommand());
    }
  }

  private static List<String> snapshot(List<String> list) {
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
