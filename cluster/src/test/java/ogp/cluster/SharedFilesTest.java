package ogp.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SharedFiles' own logic against an in-memory store: change detection, the size bound, fencing,
 * seeding races, following. The real store and etcd are proven in {@code SharedFilesOnEtcdTest}.
 */
class SharedFilesTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  @TempDir Path tmp;
  private final InMemoryFencedStore store = new InMemoryFencedStore();
  private final MutableClock clock = new MutableClock(Instant.now());
  private final List<SharedFiles> opened = new ArrayList<>();
  private Path dataDir;
  private Path pkiDir;

  @BeforeEach
  void setUp() throws IOException {
    dataDir = Files.createDirectories(tmp.resolve("data"));
    pkiDir = tmp.resolve("elsewhere/pki");
  }

  @AfterEach
  void tearDown() {
    opened.forEach(SharedFiles::close);
    store.close();
  }

  @Test
  void theServerFilesAreTheDataDirStateAndTheCaButNotTheReplicasOwnCertificate() {
    Map<String, Path> files = SharedFiles.serverFiles(dataDir, pkiDir);

    assertEquals(
        Map.of(
            "files/tokens.json", dataDir.resolve("tokens.json"),
            "files/hosts.json", dataDir.resolve("hosts.json"),
            "files/applied-revision", dataDir.resolve("applied-revision"),
            "files/webhook-secret", dataDir.resolve("webhook-secret"),
            "files/users.yaml", dataDir.resolve("users.yaml"),
            "files/pki/ca.crt", pkiDir.resolve("ca.crt"),
            "files/pki/ca.key", pkiDir.resolve("ca.key")),
        files);
  }

  @Test
  void keysOutsideTheFilesPrefixOrTwoKeysForOneFileAreRefusedAtOpen() {
    IllegalArgumentException outside =
        assertThrows(
            IllegalArgumentException.class,
            () -> SharedFiles.open(store, Map.of("tokens.json", dataDir.resolve("t")), clock));
    assertTrue(outside.getMessage().contains("files/<name>"), outside.getMessage());
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SharedFiles.open(
                    store,
                    Map.of(
                        "files/a", dataDir.resolve("same"),
                        "files/b", dataDir.resolve("x/../same")),
                    clock));
    assertTrue(twice.getMessage().contains("two shared-file keys"), twice.getMessage());
  }

  @Test
  void theLeaderUploadsAChangedFileAndNothingWhileItStaysTheSame() throws IOException {
    SharedFiles files = open();
    files.lead();

    write("tokens.json", "v1");
    await("the change is uploaded")
        .atMost(DEADLINE)
        .until(() -> stored("files/tokens.json").equals(Optional.of("v1")));
    long uploads = files.uploads();
    awaitTurns(files, 5);

    assertEquals(1, uploads);
    assertEquals(1, files.uploads(), "an unchanged file is not uploaded again");
    assertEquals(1, store.puts.get());
  }

  @Test
  void aRewriteWithTheSameBytesIsNotUploaded() throws IOException {
    SharedFiles files = open();
    files.lead();
    write("tokens.json", "same");
    await().atMost(DEADLINE).until(() -> files.uploads() == 1);

    write("tokens.json", "same"); // a new inode and modification time, the same content
    awaitTurns(files, 5);

    assertEquals(1, files.uploads());
  }

  @Test
  void anInPlaceChangeOfTheSameSizeAndModificationTimeIsStillUploaded() throws IOException {
    SharedFiles files = open();
    files.lead();
    Path tokens = write("tokens.json", "aaaa");
    await().atMost(DEADLINE).until(() -> files.uploads() == 1);
    FileTime mtime = Files.getLastModifiedTime(tokens);

    // Same inode, same size, the modification time set back: only the recent mtime tells.
    Files.writeString(tokens, "bbbb", StandardOpenOption.TRUNCATE_EXISTING);
    Files.setLastModifiedTime(tokens, mtime);

    await("the racily clean change is uploaded")
        .atMost(DEADLINE)
        .until(() -> stored("files/tokens.json").equals(Optional.of("bbbb")));
  }

  @Test
  void aDeletedLocalFileIsNotDeletedInEtcd() throws IOException {
    SharedFiles files = open();
    files.lead();
    Path tokens = write("tokens.json", "the cluster's tokens");
    await().atMost(DEADLINE).until(() -> files.uploads() == 1);

    Files.delete(tokens);
    awaitTurns(files, 5);

    assertEquals(Optional.of("the cluster's tokens"), stored("files/tokens.json"));
    assertEquals(0, store.deletes.get());

    files.pullAll();
    assertEquals("the cluster's tokens", Files.readString(tokens), "the next pull restores it");
  }

  @Test
  void aFencedUploadStopsUploadingUntilTheReplicaLeadsAgain() throws IOException {
    SharedFiles files = open();
    files.lead();
    write("tokens.json", "v1");
    await().atMost(DEADLINE).until(() -> files.uploads() == 1);

    store.depose();
    write("tokens.json", "v2 by a deposed leader");
    await("the fenced put is counted").atMost(DEADLINE).until(() -> files.fencedUploads() == 1);
    write("tokens.json", "v3 by a deposed leader");
    write("hosts.json", "also changed");
    awaitTurns(files, 5);

    assertEquals(1, files.fencedUploads(), "after a fenced put nothing more is tried");
    assertEquals(1, store.fencedPuts.get());
    assertEquals(Optional.of("v1"), stored("files/tokens.json"));

    store.elect();
    files.lead();
    await("leading again uploads what changed")
        .atMost(DEADLINE)
        .until(
            () ->
                stored("files/tokens.json").equals(Optional.of("v3 by a deposed leader"))
                    && stored("files/hosts.json").equals(Optional.of("also changed")));
  }

  @Test
  void aFileOverTheBoundIsNotReplicatedUntilItShrinksAndTheOthersStillAre() throws IOException {
    SharedFiles files = open();
    files.lead();
    // Written as the server writes its files, by a rename: written in place, the poller could
    // read it half written (under the bound) and upload that (seen once in CI).
    Path temp = Files.createTempFile(dataDir, "w", ".tmp");
    Files.write(temp, new byte[SharedFiles.MAX_BYTES + 1]);
    Files.move(
        temp, dataDir.resolve("hosts.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    write("tokens.json", "small");

    await().atMost(DEADLINE).until(() -> stored("files/tokens.json").isPresent());
    awaitTurns(files, 5);
    assertTrue(store.peek("files/hosts.json").isEmpty(), "over 4 MiB: not uploaded");

    write("hosts.json", "{}");
    await("shrunk below the bound, it is uploaded")
        .atMost(DEADLINE)
        .until(() -> stored("files/hosts.json").equals(Optional.of("{}")));
  }

  @Test
  void aFileEtcdRefusesIsRetriedWithBackoffWhileTheOthersStillGo() throws IOException {
    store.refuseAsTooLarge("files/hosts.json");
    SharedFiles files = open();
    files.lead();
    write("hosts.json", "too large for this etcd");
    await().atMost(DEADLINE).until(() -> store.refusedPuts.get() >= 1);

    write("tokens.json", "still replicated");
    await().atMost(DEADLINE).until(() -> stored("files/tokens.json").isPresent());
    await("five tries").atMost(DEADLINE).until(() -> store.refusedPuts.get() >= 5);

    List<Long> tries = store.putTimes.get("files/hosts.json");
    for (int i = 1; i < 5; i++) {
      long gapMillis = Duration.ofNanos(tries.get(i) - tries.get(i - 1)).toMillis();
      long backoffMillis = 100L << (i - 1); // 100, 200, 400, 800 ms
      assertTrue(gapMillis >= backoffMillis, "try " + i + " after " + gapMillis + " ms");
    }
  }

  @Test
  void aLargeFileIsUploadedAtMostOnceASecondAndASmallOneAtOnce() throws IOException {
    SharedFiles files = open();
    files.lead();
    String large = "x".repeat(LocalCopy.LARGE_FILE);
    write("hosts.json", large + "v1");
    await().atMost(DEADLINE).until(() -> stored("files/hosts.json").orElse("").endsWith("v1"));

    write("hosts.json", large + "v2");
    write("tokens.json", "small");
    await().atMost(DEADLINE).until(() -> stored("files/hosts.json").orElse("").endsWith("v2"));

    List<Long> large2 = store.putTimes.get("files/hosts.json");
    long gapMillis = Duration.ofNanos(large2.get(1) - large2.get(0)).toMillis();
    assertTrue(gapMillis >= 1000, "the second upload waited its second: " + gapMillis + " ms");
    assertTrue(
        store.putTimes.get("files/tokens.json").get(0) < large2.get(1),
        "the small file did not wait");
  }

  @Test
  void anElectedReplicaThatPulledUploadsNothingUntilAFileChanges() throws IOException {
    store.putAsAnotherLeader("files/tokens.json", "from the old leader".getBytes(UTF_8));
    write("tokens.json", "stale local copy");
    SharedFiles files = open();

    files.pullAll();
    files.lead();
    awaitTurns(files, 5);

    assertEquals(0, files.uploads());
    assertEquals("from the old leader", Files.readString(dataDir.resolve("tokens.json")));
  }

  @Test
  void theLeaderUploadsAFileEtcdLacksOrHoldsDifferentlyWhenItStartsLeading() throws IOException {
    store.putAsAnotherLeader("files/tokens.json", "etcd's".getBytes(UTF_8));
    write("tokens.json", "changed since the pull");
    write("applied-revision", "abc123\n");
    SharedFiles files = open();

    files.lead();

    await()
        .atMost(DEADLINE)
        .until(
            () ->
                stored("files/tokens.json").equals(Optional.of("changed since the pull"))
                    && stored("files/applied-revision").equals(Optional.of("abc123\n")));
    assertEquals(2, files.uploads());
  }

  @Test
  void pullAllReplacesDifferingFilesOwnerOnlyAndLeavesFilesEtcdLacksAlone() throws IOException {
    store.putAsAnotherLeader("files/tokens.json", "cluster tokens".getBytes(UTF_8));
    store.putAsAnotherLeader("files/pki/ca.crt", "cluster CA".getBytes(UTF_8));
    write("tokens.json", "local tokens");
    write("hosts.json", "local bindings etcd lacks");
    SharedFiles files = open();

    files.pullAll();

    assertEquals("cluster tokens", Files.readString(dataDir.resolve("tokens.json")));
    assertEquals("cluster CA", Files.readString(pkiDir.resolve("ca.crt")));
    assertEquals("local bindings etcd lacks", Files.readString(dataDir.resolve("hosts.json")));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dataDir.resolve("tokens.json"))));
    assertEquals(2, files.downloads());

    files.pullAll();
    assertEquals(2, files.downloads(), "equal bytes are not written again");
  }

  @Test
  void pullAllThrowsClusterUnavailableWhenEtcdDoesNotAnswerAndChangesNothing() throws IOException {
    store.putAsAnotherLeader("files/tokens.json", "cluster tokens".getBytes(UTF_8));
    write("tokens.json", "local tokens");
    SharedFiles files = open();
    store.goDown();

    assertThrows(ClusterUnavailable.class, files::pullAll);
    assertEquals("local tokens", Files.readString(dataDir.resolve("tokens.json")));
  }

  @Test
  void seedOffersLocalFilesTakesEtcdsWhereItHeldAnotherAndReturnsWhatChanged() throws IOException {
    store.putAsAnotherLeader("files/pki/ca.crt", "CA seeded first".getBytes(UTF_8));
    store.putAsAnotherLeader("files/pki/ca.key", "key seeded first".getBytes(UTF_8));
    store.putAsAnotherLeader("files/users.yaml", "users: {}".getBytes(UTF_8));
    write("tokens.json", "my tokens");
    Files.createDirectories(pkiDir);
    Files.writeString(pkiDir.resolve("ca.crt"), "my CA");
    Files.writeString(pkiDir.resolve("ca.key"), "my key");
    SharedFiles files = open();

    Set<String> changed = files.seed();

    assertEquals(Set.of("files/pki/ca.crt", "files/pki/ca.key", "files/users.yaml"), changed);
    assertEquals("CA seeded first", Files.readString(pkiDir.resolve("ca.crt")));
    assertEquals("key seeded first", Files.readString(pkiDir.resolve("ca.key")));
    assertEquals("users: {}", Files.readString(dataDir.resolve("users.yaml")));
    assertEquals(Optional.of("my tokens"), stored("files/tokens.json"), "offered and taken");
    assertTrue(Files.notExists(dataDir.resolve("hosts.json")), "neither side had it");
    assertEquals(Set.of(), files.seed(), "a second seed changes nothing");
  }

  @Test
  void anIncompleteLocalCaIsNeverOfferedAndTakesEtcdsCompleteOne() throws IOException {
    Files.createDirectories(pkiDir);
    Files.writeString(pkiDir.resolve("ca.crt"), "a certificate without its key");
    SharedFiles files = open();

    assertEquals(Set.of(), files.seed(), "etcd has no CA: nothing to take");
    assertTrue(store.peek("files/pki/ca.crt").isEmpty(), "half a CA is not offered");

    store.putAsAnotherLeader("files/pki/ca.crt", "CA".getBytes(UTF_8));
    store.putAsAnotherLeader("files/pki/ca.key", "key".getBytes(UTF_8));
    assertEquals(Set.of("files/pki/ca.crt", "files/pki/ca.key"), files.seed());
    assertEquals("CA", Files.readString(pkiDir.resolve("ca.crt")));
    assertEquals("key", Files.readString(pkiDir.resolve("ca.key")));
  }

  @Test
  void aCaEtcdHoldsOnlyPartOfIsNeitherSeededNorTaken() throws IOException {
    store.putAsAnotherLeader("files/pki/ca.crt", "a certificate alone".getBytes(UTF_8));
    Files.createDirectories(pkiDir);
    Files.writeString(pkiDir.resolve("ca.crt"), "my CA");
    Files.writeString(pkiDir.resolve("ca.key"), "my key");
    SharedFiles files = open();

    assertEquals(Set.of(), files.seed());
    assertEquals("my CA", Files.readString(pkiDir.resolve("ca.crt")));
    assertTrue(store.peek("files/pki/ca.key").isEmpty());
  }

  @Test
  void twoReplicasSeedingDifferentCasEndWithTheSameCaOnDisk() throws IOException {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (Path dir : List.of(a, b)) {
      Files.createDirectories(dir.resolve("pki"));
      Files.writeString(dir.resolve("pki/ca.crt"), "CA of " + dir.getFileName());
      Files.writeString(dir.resolve("pki/ca.key"), "key of " + dir.getFileName());
    }
    SharedFiles replicaA = open(SharedFiles.serverFiles(a, a.resolve("pki")));
    SharedFiles replicaB = open(SharedFiles.serverFiles(b, b.resolve("pki")));

    Set<String> changedA = replicaA.seed();
    Set<String> changedB = replicaB.seed();

    assertEquals(Set.of(), changedA, "the first seed keeps its own CA");
    assertEquals(Set.of("files/pki/ca.crt", "files/pki/ca.key"), changedB);
    assertArrayEquals(
        Files.readAllBytes(a.resolve("pki/ca.crt")), Files.readAllBytes(b.resolve("pki/ca.crt")));
    assertArrayEquals(
        Files.readAllBytes(a.resolve("pki/ca.key")), Files.readAllBytes(b.resolve("pki/ca.key")));
  }

  @Test
  void aSeedRunningInTheMiddleOfAnothersStillLeavesBothWithOneWholeCa() throws IOException {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (Path dir : List.of(a, b)) {
      Files.createDirectories(dir.resolve("pki"));
      Files.writeString(dir.resolve("pki/ca.crt"), "CA of " + dir.getFileName());
      Files.writeString(dir.resolve("pki/ca.key"), "key of " + dir.getFileName());
    }
    SharedFiles replicaB = open(SharedFiles.serverFiles(b, b.resolve("pki")));
    // B's whole seed runs right after A's first call to etcd about the CA: the worst interleaving.
    AtomicBoolean first = new AtomicBoolean(true);
    FencedStore aView =
        new DelegatingStore(store) {
          @Override
          void after(Collection<String> keys) {
            if (keys.stream().anyMatch(k -> k.startsWith("files/pki/")) && first.getAndSet(false))
              replicaB.seed();
          }
        };
    SharedFiles replicaA =
        SharedFiles.open(aView, SharedFiles.serverFiles(a, a.resolve("pki")), clock);
    opened.add(replicaA);

    replicaA.seed();

    for (String file : List.of("pki/ca.crt", "pki/ca.key"))
      assertEquals(Files.readString(a.resolve(file)), Files.readString(b.resolve(file)), file);
    assertEquals(
        Files.readString(a.resolve("pki/ca.crt")).substring("CA of ".length()),
        Files.readString(a.resolve("pki/ca.key")).substring("key of ".length()),
        "the certificate and the key are of one replica");
  }

  /** A store that calls {@link #after} with the keys of each call it passes on to {@code etcd}. */
  private abstract static class DelegatingStore implements FencedStore {
    private final FencedStore etcd;

    DelegatingStore(FencedStore etcd) {
      this.etcd = etcd;
    }

    abstract void after(Collection<String> keys);

    private <T> T then(T result, Collection<String> keys) {
      after(keys);
      return result;
    }

    @Override
    public Optional<byte[]> get(String key) {
      return then(etcd.get(key), List.of(key));
    }

    @Override
    public Map<String, byte[]> list(String keyPrefix) {
      return then(etcd.list(keyPrefix), List.of(keyPrefix));
    }

    @Override
    public boolean put(String key, byte[] value) {
      return then(etcd.put(key, value), List.of(key));
    }

    @Override
    public boolean delete(String key) {
      return then(etcd.delete(key), List.of(key));
    }

    @Override
    public byte[] putIfAbsent(String key, byte[] value) {
      return then(etcd.putIfAbsent(key, value), List.of(key));
    }

    @Override
    public Map<String, byte[]> putAllIfAbsent(Map<String, byte[]> values) {
      return then(etcd.putAllIfAbsent(values), values.keySet());
    }

    @Override
    public boolean putIfAbsentFenced(String key, byte[] value, Duration ttl) {
      return then(etcd.putIfAbsentFenced(key, value, ttl), List.of(key));
    }

    @Override
    public AutoCloseable watch(String keyPrefix, BiConsumer<String, Optional<byte[]>> onChange) {
      return then(etcd.watch(keyPrefix, onChange), List.of(keyPrefix));
    }
  }

  @Test
  void aFollowerAppliesEtcdsPutsAndUploadsNothing() throws IOException {
    SharedFiles files = open();
    files.follow();
    await("the watch is open").atMost(DEADLINE).until(() -> store.watchers() == 1);

    store.putAsAnotherLeader("files/tokens.json", "the leader's tokens".getBytes(UTF_8));
    await("the put reaches the local file")
        .atMost(DEADLINE)
        .until(() -> read("tokens.json").equals("the leader's tokens"));

    write("hosts.json", "a standby's local edit");
    awaitTurns(files, 5);
    assertEquals(0, store.puts.get());
    assertTrue(store.peek("files/hosts.json").isEmpty());
  }

  @Test
  void aFollowersLocalEditIsOverwrittenByEtcdsCopyAtTheNextResync() throws IOException {
    store.putAsAnotherLeader("files/tokens.json", "the cluster's tokens".getBytes(UTF_8));
    SharedFiles files = open();
    files.follow();
    await().atMost(DEADLINE).until(() -> read("tokens.json").equals("the cluster's tokens"));

    write("tokens.json", "edited on the standby");
    awaitTurns(files, 3);
    assertEquals("edited on the standby", read("tokens.json"), "no resync before its time");
    clock.advance(SharedFiles.RESYNC);

    await("the resync restores etcd's copy")
        .atMost(DEADLINE)
        .until(() -> read("tokens.json").equals("the cluster's tokens"));
  }

  @Test
  void aDeletionInEtcdLeavesTheFollowersFileAlone() throws IOException {
    store.putAsAnotherLeader("files/tokens.json", "tokens".getBytes(UTF_8));
    SharedFiles files = open();
    files.follow();
    await().atMost(DEADLINE).until(() -> read("tokens.json").equals("tokens"));

    store.deleteAsAnotherLeader("files/tokens.json");
    store.putAsAnotherLeader("files/hosts.json", "after the deletion".getBytes(UTF_8));
    await().atMost(DEADLINE).until(() -> read("hosts.json").equals("after the deletion"));

    assertEquals("tokens", read("tokens.json"));
  }

  @Test
  void switchingToLeadingStopsFollowingAndCloseStopsBoth() throws IOException {
    SharedFiles files = open();
    files.follow();
    await().atMost(DEADLINE).until(() -> store.watchers() == 1);

    files.lead();
    await("the watch is closed").atMost(DEADLINE).until(() -> store.watchers() == 0);
    store.putAsAnotherLeader("files/users.yaml", "not followed".getBytes(UTF_8));
    write("tokens.json", "uploaded");
    await().atMost(DEADLINE).until(() -> stored("files/tokens.json").isPresent());
    assertTrue(Files.notExists(dataDir.resolve("users.yaml")), "a leader does not follow");

    files.close(); // returns once the worker has stopped
    long turns = files.turns();
    write("tokens.json", "after close");

    assertEquals(turns, files.turns(), "no turn runs after close");
    assertEquals(Optional.of("uploaded"), stored("files/tokens.json"));
    assertThrows(IllegalStateException.class, files::lead);
  }

  @Test
  void theLoopSurvivesAnyThrowableAndEtcdBeingDown() throws IOException {
    SharedFiles files = open();
    files.lead();
    awaitTurns(files, 1);
    store.failNext(new IllegalStateException("a bug in the store"));
    write("tokens.json", "v1");
    await().atMost(DEADLINE).until(() -> stored("files/tokens.json").equals(Optional.of("v1")));

    store.goDown();
    write("tokens.json", "v2 while etcd is down");
    awaitTurns(files, 5);
    store.comeBack();

    await("uploaded once etcd answers again")
        .atMost(DEADLINE)
        .until(() -> stored("files/tokens.json").equals(Optional.of("v2 while etcd is down")));
  }

  private SharedFiles open() {
    return open(SharedFiles.serverFiles(dataDir, pkiDir));
  }

  private SharedFiles open(Map<String, Path> paths) {
    SharedFiles files = SharedFiles.open(store, paths, clock);
    opened.add(files);
    return files;
  }

  private Path write(String name, String content) throws IOException {
    Path file = dataDir.resolve(name);
    Path temp = Files.createTempFile(dataDir, "w", ".tmp");
    Files.writeString(temp, content);
    // A rename, as OwnerOnlyFile and editors do: readers never see half a file.
    return Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private String read(String name) throws IOException {
    Path file = dataDir.resolve(name);
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private Optional<String> stored(String key) {
    return store.peek(key).map(v -> new String(v, UTF_8));
  }

  private static void awaitTurns(SharedFiles files, int n) {
    long target = files.turns() + n;
    await(n + " more turns").atMost(DEADLINE).until(() -> files.turns() >= target);
  }
}
