package ogp.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.reconciler.pki.ServerPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's files shared between replicas through a real three-member etcd: each replica is an
 * {@link EtcdLeadership} with its own data dir and {@link SharedFiles}, wired as a server wires
 * them (the leader pulls then leads; a standby follows).
 */
class SharedFilesOnEtcdTest {
  private static EtcdTestCluster etcd;

  @TempDir Path tmp;
  private final List<AutoCloseable> opened = new ArrayList<>();
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
  void closeAll() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close();
    replicas.close();
  }

  @Test
  void aLeadersTokenFileChangeReachesAStandbysFileWithinOneSecond() throws Exception {
    EtcdLeadership a = replicas.start("a");
    EtcdLeadership b = replicas.start("b");
    EtcdLeadership leader = awaitOneLeader(a, b);
    EtcdLeadership standby = leader == a ? b : a;
    Path leaderDir = dataDir("leader");
    Path standbyDir = dataDir("standby");
    SharedFiles leaderFiles = open(leader, leaderDir);
    SharedFiles standbyFiles = open(standby, standbyDir);
    leaderFiles.pullAll();
    leaderFiles.lead();
    standbyFiles.follow();
    awaitTurns(standbyFiles, 3); // its watch is open and its first pull done

    String tokens = "{\"format\":\"ogp-tokens/v1\",\"tokens\":[\"a new API token\"]}\n";
    long written = System.nanoTime();
    OwnerOnlyFile.write(leaderDir.resolve("tokens.json"), tokens);

    await("the standby's tokens.json holds the leader's")
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> read(standbyDir.resolve("tokens.json")).equals(tokens));
    long tookMillis = Duration.ofNanos(System.nanoTime() - written).toMillis();
    System.out.println("SHARED-FILES leader tokens.json -> standby file: " + tookMillis + " ms");
    assertEquals(1, leaderFiles.uploads());
    assertEquals(0, standbyFiles.uploads());
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(standbyDir.resolve("tokens.json"))));
  }

  @Test
  void aDeposedLeadersChangeIsFencedAndItsNextPullTakesTheNewLeadersState() throws Exception {
    EtcdLeadership a = replicas.start("a");
    await("a leads").atMost(Duration.ofSeconds(10)).until(a::mayCommand);
    EtcdLeadership b = replicas.start("b");
    Path aDir = dataDir("a");
    Path bDir = dataDir("b");
    SharedFiles aFiles = open(a, aDir);
    SharedFiles bFiles = open(b, bDir);
    aFiles.lead();
    bFiles.follow();
    OwnerOnlyFile.write(aDir.resolve("tokens.json"), "tokens v1");
    await("b mirrors v1")
        .atMost(Duration.ofSeconds(5))
        .until(() -> read(bDir.resolve("tokens.json")).equals("tokens v1"));

    // a's lease ends behind its back (a partition, a pause): b is elected.
    replicas.raw().getLeaseClient().revoke(a.leaseId()).get(5, TimeUnit.SECONDS);
    await("b leads").atMost(Duration.ofSeconds(10)).until(b::mayCommand);
    OwnerOnlyFile.write(aDir.resolve("tokens.json"), "tokens changed by the deposed a");

    await("a's upload is fenced")
        .atMost(Duration.ofSeconds(5))
        .until(() -> aFiles.fencedUploads() == 1);
    assertEquals("tokens v1", text(b.store().get(SharedFiles.TOKENS).orElseThrow()));

    // b takes over as a server does: pull, then lead; its server changes the tokens.
    bFiles.pullAll();
    bFiles.lead();
    OwnerOnlyFile.write(bDir.resolve("tokens.json"), "tokens v2 by b");
    await("b uploads v2")
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> text(b.store().get(SharedFiles.TOKENS).orElseThrow()).equals("tokens v2 by b"));

    aFiles.pullAll();
    assertEquals("tokens v2 by b", read(aDir.resolve("tokens.json")));
    assertEquals(1, aFiles.fencedUploads(), "nothing more was tried after the fence");
    assertEquals(1, aFiles.uploads());
  }

  @Test
  void twoReplicasSeedingDifferentCasAtOnceEndWithTheSameCaOnDisk() throws Exception {
    for (int round = 0; round < 5; round++) {
      TestReplicas fresh = new TestReplicas(etcd); // a fresh key prefix: etcd holds no CA
      opened.add(fresh);
      EtcdLeadership a = fresh.start("a");
      EtcdLeadership b = fresh.start("b");
      Path aDir = dataDir("a-" + round);
      Path bDir = dataDir("b-" + round);
      String aHash = newCa(aDir).caHash();
      String bHash = newCa(bDir).caHash();
      SharedFiles aFiles = open(a, aDir);
      SharedFiles bFiles = open(b, bDir);

      CyclicBarrier start = new CyclicBarrier(2);
      CompletableFuture<Set<String>> aSeed =
          CompletableFuture.supplyAsync(() -> seed(aFiles, start));
      CompletableFuture<Set<String>> bSeed =
          CompletableFuture.supplyAsync(() -> seed(bFiles, start));
      Set<String> aChanged = aSeed.get(30, TimeUnit.SECONDS);
      Set<String> bChanged = bSeed.get(30, TimeUnit.SECONDS);

      Set<String> ca = Set.of(SharedFiles.CA_CERTIFICATE, SharedFiles.CA_KEY);
      assertTrue(
          (aChanged.isEmpty() && bChanged.equals(ca))
              || (bChanged.isEmpty() && aChanged.equals(ca)),
          "exactly one replica took the other's CA, both files: " + aChanged + " " + bChanged);
      for (String file : List.of("ca.crt", "ca.key"))
        assertArrayEquals(
            Files.readAllBytes(aDir.resolve("pki").resolve(file)),
            Files.readAllBytes(bDir.resolve("pki").resolve(file)),
            file);
      // Certificate and key belong together: the CA loads, and it is one of the two made.
      String loaded = ServerPki.loadOrCreate(bDir.resolve("pki"), "b", clock(), random()).caHash();
      assertEquals(
          loaded, ServerPki.loadOrCreate(aDir.resolve("pki"), "a", clock(), random()).caHash());
      assertTrue(loaded.equals(aHash) || loaded.equals(bHash), loaded);
    }
  }

  private static Set<String> seed(SharedFiles files, CyclicBarrier start) {
    try {
      start.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return files.seed();
  }

  private ServerPki newCa(Path dataDir) throws Exception {
    return ServerPki.loadOrCreate(dataDir.resolve("pki"), "ogp test CA", clock(), random());
  }

  private SharedFiles open(EtcdLeadership replica, Path dataDir) {
    SharedFiles files =
        SharedFiles.open(
            replica.store(),
            SharedFiles.serverFiles(dataDir, dataDir.resolve("pki")),
            Clock.systemUTC());
    opened.add(files);
    return files;
  }

  private Path dataDir(String name) throws Exception {
    return Files.createDirectories(tmp.resolve(name));
  }

  private static String read(Path file) throws Exception {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  private static Clock clock() {
    return Clock.systemUTC();
  }

  private static SecureRandom random() {
    return new SecureRandom();
  }

  private static void awaitTurns(SharedFiles files, int n) {
    long target = files.turns() + n;
    await(n + " more turns").atMost(Duration.ofSeconds(10)).until(() -> files.turns() >= target);
  }

  private static EtcdLeadership awaitOneLeader(EtcdLeadership... all) {
    await("one leader")
        .atMost(Duration.ofSeconds(10))
        .until(() -> Stream.of(all).filter(EtcdLeadership::mayCommand).count() == 1);
    return Stream.of(all).filter(EtcdLeadership::mayCommand).findFirst().orElseThrow();
  }
}
