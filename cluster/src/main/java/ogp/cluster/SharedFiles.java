package ogp.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import ogp.cluster.LocalCopy.Reading;
import ogp.protocol.LoopGuard;
import ogp.reconciler.agents.HostBindings;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.pki.ServerPki;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's state files, replicated through etcd. The server keeps reading and writing its files
 * in its data dir as a single node does (tokens, host bindings, the applied revision, the webhook
 * secret, the portal's users, the agent CA); with {@code --etcd}, this class keeps a copy of each
 * under {@value #KEY_PREFIX} in the shared store, so a replica that is elected starts from the
 * cluster's state rather than its own stale disk.
 *
 * <p>Policy:
 *
 * <ul>
 *   <li>{@link #pullAll()}: every key etcd holds replaces its local file when the bytes differ
 *       (atomically, mode 0600); a key etcd lacks leaves the local file alone. An elected replica
 *       pulls before its server starts.
 *   <li>{@link #seed()}: first-start material is shared: every local file is offered with {@code
 *       putIfAbsent}; when etcd already held another value (another replica seeded first), the
 *       local file is replaced by etcd's. Files in one key directory (the CA's certificate and key
 *       in {@code files/pki/}) are offered and taken all or nothing, in one transaction, so two
 *       replicas starting at once never end with one's certificate beside the other's key.
 *       Afterwards every file that either side had is the same on both. The keys whose local file
 *       changed are returned (the caller re-issues its server certificate when the CA changed).
 *   <li>{@link #lead()}: from then on a poller (every 100 ms: a {@code stat}, and a hash when the
 *       stat changed) uploads each changed file with the leader's fenced put (a failed put is
 *       retried after a per-file backoff of 100 ms doubling to 5 s; a file of 64 KiB or more is
 *       uploaded at most once a second, as every put stays in etcd's history until compacted). A
 *       fenced put (this replica no longer leads) stops all uploads until {@code lead()} is called
 *       again. A deleted local file is never deleted in etcd: a lost or wiped data dir must not
 *       wipe the cluster's tokens and bindings; the next pull restores it.
 *   <li>{@link #follow()}: from then on a watch applies etcd's puts to the local files (and a full
 *       pull every {@link #RESYNC} repairs whatever a broken watch missed); nothing is uploaded, so
 *       a standby's local edits are overwritten by etcd's copy.
 *   <li>A file over {@value #MAX_BYTES} bytes is not replicated (logged once, until it shrinks).
 * </ul>
 *
 * <p>Switching between leading and following is explicit; {@link #close()} stops both. All file and
 * etcd work runs on one thread ({@code ogp-shared-files}): {@link #pullAll()} and {@link #seed()}
 * hand their work to it and wait, so a pull never races an upload. Its loop survives any throwable
 * ({@link LoopGuard}). No lock is held across I/O; the only queue, the watch's latest value per
 * key, holds at most one value per shared file.
 */
public final class SharedFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedFiles.class);

  /** Every shared file's key starts with this (relative to the cluster's key prefix). */
  public static final String KEY_PREFIX = "files/";

  /**
   * The largest file replicated: 4 MiB, gRPC's default message limit. etcd itself refuses requests
   * over 1.5 MiB unless started with a larger {@code --max-request-bytes} (docs/ha.md).
   */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  /** How often the leader looks for changed files. */
  static final Duration POLL = Duration.ofMillis(100);

  /** How often a follower pulls everything, whatever the watch said. */
  static final Duration RESYNC = Duration.ofSeconds(5);

  /** The longest {@link #pullAll()} or {@link #seed()} waits for the worker. */
  static final Duration CALLER_WAIT = Duration.ofSeconds(60);

  public static final String TOKENS = KEY_PREFIX + TokenStore.FILE;
  public static final String HOSTS = KEY_PREFIX + HostBindings.FILE;
  public static final String APPLIED_REVISION = KEY_PREFIX + "applied-revision";
  public static final String WEBHOOK_SECRET = KEY_PREFIX + "webhook-secret";
  public static final String USERS = KEY_PREFIX + "users.yaml";
  public static final String CA_CERTIFICATE = KEY_PREFIX + "pki/" + ServerPki.CA_CERTIFICATE;
  public static final String CA_KEY = KEY_PREFIX + "pki/" + ServerPki.CA_KEY;

  private enum Mode {
    IDLE,
    LEADING,
    FOLLOWING
  }

  /** A requested mode; {@code seq} tells a new request from the one already applied. */
  private record Wanted(Mode mode, long seq) {}

  private final FencedStore store;
  private final List<LocalCopy> copies;
  private final Map<String, LocalCopy> byKey;
  private final Clock clock;
  private final ScheduledExecutorService worker;
  private final AtomicReference<Thread> workerThread = new AtomicReference<>();
  private final AtomicReference<Wanted> wanted = new AtomicReference<>(new Wanted(Mode.IDLE, 0));
  // What the watch reported last per key, applied by the worker; at most one entry per file.
  private final Map<String, Optional<byte[]>> fromWatch = new ConcurrentHashMap<>();
  private final AtomicReference<AutoCloseable> watch = new AtomicReference<>();
  private final AtomicLong uploads = new AtomicLong();
  private final AtomicLong downloads = new AtomicLong();
  private final AtomicLong fencedUploads = new AtomicLong();
  private final AtomicLong turns = new AtomicLong();
  private volatile boolean closed;

  // The worker's own state (only its thread reads or writes these).
  private Mode mode = Mode.IDLE;
  private long appliedSeq;
  private Instant nextResync = Instant.MIN;
  private boolean toldUnavailable;

  private SharedFiles(FencedStore store, Map<String, Path> files, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    Map<String, LocalCopy> keyed = new LinkedHashMap<>();
    Set<Path> paths = new java.util.HashSet<>();
    for (Map.Entry<String, Path> e : new java.util.TreeMap<>(files).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(KEY_PREFIX)
          || key.length() == KEY_PREFIX.length()
          || key.endsWith("/")
          || key.contains("//"))
        throw new IllegalArgumentException(
            "a shared file's key must be " + KEY_PREFIX + "<name>, e.g. files/tokens.json: " + key);
      Path path = e.getValue().toAbsolutePath().normalize();
      if (!paths.add(path))
        throw new IllegalArgumentException("two shared-file keys name one file: " + path);
      keyed.put(key, new LocalCopy(key, path, MAX_BYTES));
    }
    if (keyed.isEmpty()) throw new IllegalArgumentException("no shared files given");
    this.byKey = Collections.unmodifiableMap(keyed);
    this.copies = List.copyOf(keyed.values());
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-shared-files");
              t.setDaemon(true);
              workerThread.set(t);
              return t;
            });
    worker.scheduleWithFixedDelay(
        LoopGuard.guarded("replicating the shared files", this::turn),
        0,
        POLL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Shares {@code files} (key, relative to the cluster prefix and starting with {@value
   * #KEY_PREFIX}, to local path) through {@code store}. It neither leads nor follows until told.
   */
  public static SharedFiles open(FencedStore store, Map<String, Path> files, Clock clock) {
    return new SharedFiles(store, files, clock);
  }

  /**
   * The server's shared files: {@code tokens.json}, {@code hosts.json}, {@code applied-revision},
   * {@code webhook-secret} and {@code users.yaml} in the data dir, and the agent CA's {@code
   * ca.crt} and {@code ca.key} in the pki dir. Not the replica's own server certificate: it names
   * this replica.
   */
  public static Map<String, Path> serverFiles(Path dataDir, Path pkiDir) {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put(TOKENS, dataDir.resolve(TokenStore.FILE));
    files.put(HOSTS, dataDir.resolve(HostBindings.FILE));
    // The names below are the cli's ServerProcess.APPLIED_REVISION_FILE and WEBHOOK_SECRET_FILE
    // and the portal's UsersFile.DEFAULT_NAME: those modules sit above this one.
    files.put(APPLIED_REVISION, dataDir.resolve("applied-revision"));
    files.put(WEBHOOK_SECRET, dataDir.resolve("webhook-secret"));
    files.put(USERS, dataDir.resolve("users.yaml"));
    files.put(CA_CERTIFICATE, pkiDir.resolve(ServerPki.CA_CERTIFICATE));
    files.put(CA_KEY, pkiDir.resolve(ServerPki.CA_KEY));
    return Collections.unmodifiableMap(files);
  }

  /**
   * Replaces every local file whose key etcd holds with etcd's bytes where they differ; a key etcd
   * lacks leaves its file alone.
   *
   * @throws ClusterUnavailable when etcd does not answer (nothing or part was pulled)
   * @throws UncheckedIOException when a local file cannot be written
   */
  public void pullAll() {
    onWorker("pulling the shared files", () -> pullNow(true));
  }

  /**
   * Offers every local file to etcd with {@code putIfAbsent} and takes etcd's value where it held
   * another (or where the local file is missing).
   *
   * @return the keys whose local file changed, sorted
   * @throws ClusterUnavailable when etcd does not answer
   * @throws UncheckedIOException when a local file cannot be read or written
   */
  public Set<String> seed() {
    return onWorker("seeding the shared files", this::seedNow);
  }

  /** From now on, uploads changed local files with the leader's fenced put. */
  public void lead() {
    request(Mode.LEADING);
  }

  /** From now on, applies etcd's copies to the local files and uploads nothing. */
  public void follow() {
    request(Mode.FOLLOWING);
  }

  /** Files uploaded to etcd by this replica's leader poll. */
  public long uploads() {
    return uploads.get();
  }

  /** Local files replaced by etcd's copy (pull, seed, watch). */
  public long downloads() {
    return downloads.get();
  }

  /** Uploads refused by the fence: this replica had lost its leadership. */
  public long fencedUploads() {
    return fencedUploads.get();
  }

  @Override
  public void close() {
    closed = true;
    worker.shutdown();
    try {
      // The turn under way ends with its current etcd call (each has a timeout).
      if (!worker.awaitTermination(10, TimeUnit.SECONDS)) worker.shutdownNow();
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    closeWatch();
  }

  private void request(Mode next) {
    if (closed) throw new IllegalStateException("the shared files are closed");
    wanted.updateAndGet(w -> new Wanted(next, w.seq() + 1));
  }

  /**
   * One turn of the worker: switch mode when asked, then upload (leading) or mirror (following).
   */
  private void turn() {
    if (closed) return;
    Wanted want = wanted.get();
    if (want.seq() != appliedSeq) {
      appliedSeq = want.seq();
      enter(want.mode());
    }
    try {
      switch (mode) {
        case LEADING -> uploadChanges();
        case FOLLOWING -> mirror();
        case IDLE -> {}
      }
    } finally {
      turns.incrementAndGet();
    }
  }

  /** Turns the worker finished (tests wait for a few to see that nothing happened). */
  long turns() {
    return turns.get();
  }

  private void enter(Mode next) {
    closeWatch();
    fromWatch.clear();
    mode = next;
    nextResync = Instant.MIN;
    for (LocalCopy c : copies) {
      c.forgetSeen(); // every file is looked at once in the new mode
      if (next == Mode.LEADING) c.etcdUnknown(); // learnt afresh: another leader wrote meanwhile
    }
    log.info(
        next == Mode.LEADING
            ? "shared files: leading, uploading changes of {} files"
            : next == Mode.FOLLOWING
                ? "shared files: following, mirroring etcd's copies of {} files"
                : "shared files: idle ({} files)",
        copies.size());
  }

  // ---- leading ----

  private void uploadChanges() {
    if (!learnEtcd()) return;
    Instant now = clock.instant();
    for (LocalCopy c : copies) {
      if (!c.mayTry(System.nanoTime())) continue;
      Reading reading;
      try {
        reading = c.look(now);
      } catch (IOException e) {
        log.warn("shared files: cannot read {}: {}", c.path, e.toString());
        continue;
      }
      if (reading instanceof Reading.Missing) {
        if (!c.toldMissing && c.etcdKnown() && !c.etcdHolds(LocalCopy.ABSENT))
          log.warn(
              "shared files: {} is missing; etcd's copy is kept, not deleted (a lost file must"
                  + " not wipe the cluster's state); the next pull restores it",
              c.path);
        c.toldMissing = true;
        continue;
      }
      c.toldMissing = false;
      if (reading instanceof Reading.TooBig big) {
        tellTooBig(c, big.size());
        continue;
      }
      c.toldTooBig = false;
      if (!(reading instanceof Reading.Content content)) continue; // unchanged
      if (c.etcdHolds(content.sha256())) continue;
      if (!upload(c, content)) return;
    }
  }

  /** Learns what etcd holds when a file's state there is unknown (after switching to leading). */
  private boolean learnEtcd() {
    if (copies.stream().allMatch(LocalCopy::etcdKnown)) return true;
    Map<String, byte[]> held;
    try {
      held = store.list(KEY_PREFIX);
    } catch (ClusterUnavailable e) {
      tellUnavailable(e);
      return false;
    }
    tellAvailable();
    for (LocalCopy c : copies) {
      byte[] value = held.get(c.key);
      if (value == null) c.etcdLacks();
      else c.etcdHas(value);
    }
    return true;
  }

  /**
   * Puts one changed file; false when uploading must stop (fenced). A put etcd does not take (down,
   * or the value too large for its {@code --max-request-bytes}) is retried after a backoff of 100
   * ms doubling to 5 s, per file, so the other files still go.
   */
  private boolean upload(LocalCopy c, Reading.Content content) {
    boolean written = false;
    boolean answered = false;
    try {
      written = store.put(c.key, content.bytes());
      answered = true;
    } catch (ClusterUnavailable e) {
      tellUnavailable(e);
      return true; // the other files may still go (etcd refuses one that is too large)
    } finally {
      if (!answered) c.uploadFailed(System.nanoTime()); // whatever was thrown: retried later
    }
    tellAvailable();
    c.uploadSucceeded();
    if (!written) {
      c.forgetSeen();
      fencedUploads.incrementAndGet();
      mode = Mode.IDLE; // until lead() is called again, at a new epoch
      log.warn(
          "shared files: {} changed but was not uploaded: this replica no longer leads (its write"
              + " was fenced); uploads stop, and the next pull replaces the local change with the"
              + " cluster's",
          c.path);
      return false;
    }
    c.etcdHasSha256(content.sha256());
    c.uploaded(content.bytes().length, System.nanoTime());
    uploads.incrementAndGet();
    log.debug("shared files: uploaded {} ({} bytes)", c.key, content.bytes().length);
    return true;
  }

  // ---- following ----

  private void mirror() {
    if (watch.get() == null && !openWatch()) return;
    for (LocalCopy c : copies) {
      Optional<byte[]> value = fromWatch.remove(c.key);
      // A deletion in etcd leaves the local file alone, like a key etcd lacks at a pull.
      if (value == null || value.isEmpty()) continue;
      try {
        apply(c, value.get());
      } catch (IOException e) {
        log.warn("shared files: cannot write {}: {}", c.path, e.toString());
      }
    }
    // After the watch's values: a pull is never older than what the watch applied before it.
    Instant now = clock.instant();
    if (now.isBefore(nextResync)) return;
    nextResync = now.plus(RESYNC);
    try {
      pullNow(false);
    } catch (ClusterUnavailable e) {
      tellUnavailable(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown when not strict
    }
  }

  private boolean openWatch() {
    try {
      AutoCloseable handle =
          store.watch(
              KEY_PREFIX,
              (key, value) -> {
                // Only our own keys, so this holds at most one entry per file.
                if (byKey.containsKey(key)) fromWatch.put(key, value);
              });
      watch.set(handle);
      nextResync = Instant.MIN; // pull once now: the watch only tells later changes
      tellAvailable();
      return true;
    } catch (ClusterUnavailable e) {
      tellUnavailable(e);
      return false;
    }
  }

  private void closeWatch() {
    AutoCloseable handle = watch.getAndSet(null);
    if (handle == null) return;
    try {
      handle.close();
    } catch (Exception e) {
      log.debug("shared files: closing the watch: {}", e.toString());
    }
  }

  // ---- pull and seed (on the worker) ----

  /** Pulls every key; {@code strict}: a local write failure is thrown rather than logged. */
  private Void pullNow(boolean strict) throws IOException {
    Map<String, byte[]> held = store.list(KEY_PREFIX);
    tellAvailable();
    for (LocalCopy c : copies) {
      byte[] value = held.get(c.key);
      if (value == null) {
        c.etcdLacks();
        continue;
      }
      try {
        apply(c, value);
      } catch (IOException e) {
        if (strict) throw e;
        log.warn("shared files: cannot write {}: {}", c.path, e.toString());
      }
    }
    return null;
  }

  private Set<String> seedNow() throws IOException {
    Set<String> changed = new TreeSet<>();
    for (List<LocalCopy> group : seedGroups()) {
      if (group.size() == 1) seedOne(group.get(0), changed);
      else seedTogether(group, changed);
    }
    tellAvailable();
    return Collections.unmodifiableSet(changed);
  }

  /**
   * The files seeded as one: those whose keys share a directory below {@value #KEY_PREFIX} (the
   * CA's certificate and key in {@code files/pki/}) form a group; every other file is alone.
   */
  private Collection<List<LocalCopy>> seedGroups() {
    Map<String, List<LocalCopy>> groups = new LinkedHashMap<>();
    for (LocalCopy c : copies) {
      String dir = c.key.substring(0, c.key.lastIndexOf('/') + 1);
      String group = dir.equals(KEY_PREFIX) ? c.key : dir;
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(c);
    }
    return groups.values();
  }

  private void seedOne(LocalCopy c, Set<String> changed) throws IOException {
    Reading local = c.readNow();
    if (local instanceof Reading.TooBig big) {
      tellTooBig(c, big.size());
      return;
    }
    if (local instanceof Reading.Content content) {
      byte[] stored = store.putIfAbsent(c.key, content.bytes());
      if (Arrays.equals(stored, content.bytes())) {
        c.etcdHasSha256(content.sha256());
        return;
      }
      log.info("shared files: {} replaced by the copy another replica seeded first", c.path);
      if (apply(c, stored)) changed.add(c.key);
      return;
    }
    // Missing here: take etcd's copy if it has one.
    Optional<byte[]> held = store.get(c.key);
    if (held.isEmpty()) c.etcdLacks();
    else if (apply(c, held.get())) changed.add(c.key);
  }

  /**
   * Seeds a group all or nothing: a complete local group is offered in one transaction; an
   * incomplete one is never offered, and takes etcd's group if etcd has all of it. A group etcd
   * holds only part of is left alone on both sides (logged): its parts may not belong together.
   */
  private void seedTogether(List<LocalCopy> group, Set<String> changed) throws IOException {
    Map<String, byte[]> local = new LinkedHashMap<>();
    for (LocalCopy c : group) {
      Reading reading = c.readNow();
      if (reading instanceof Reading.TooBig big) tellTooBig(c, big.size());
      if (reading instanceof Reading.Content content) local.put(c.key, content.bytes());
    }
    Map<String, byte[]> stored;
    if (local.size() == group.size()) {
      stored = store.putAllIfAbsent(local);
    } else {
      stored = new LinkedHashMap<>();
      for (LocalCopy c : group) store.get(c.key).ifPresent(v -> stored.put(c.key, v));
    }
    if (stored.isEmpty()) {
      group.forEach(LocalCopy::etcdLacks);
      return;
    }
    if (stored.size() != group.size()) {
      log.warn(
          "shared files: etcd holds only part of {} ({}); nothing of it is seeded or taken until"
              + " an operator completes it",
          group.get(0).key.substring(0, group.get(0).key.lastIndexOf('/') + 1),
          String.join(", ", stored.keySet()));
      return;
    }
    boolean replaced = false;
    for (LocalCopy c : group) {
      byte[] value = stored.get(c.key);
      if (Arrays.equals(value, local.get(c.key))) c.etcdHas(value);
      else if (apply(c, value)) {
        changed.add(c.key);
        replaced = true;
      }
    }
    if (replaced)
      log.info(
          "shared files: {} replaced by the copies another replica seeded first",
          group.stream().map(c -> c.path.toString()).collect(Collectors.joining(", ")));
  }

  /** Makes the local file hold etcd's {@code value}; true when it changed. */
  private boolean apply(LocalCopy c, byte[] value) throws IOException {
    if (value.length > MAX_BYTES) {
      tellTooBig(c, value.length);
      return false;
    }
    if (!c.replaceWith(value)) return false;
    downloads.incrementAndGet();
    log.info("shared files: {} now holds the cluster's copy ({} bytes)", c.path, value.length);
    return true;
  }

  // ---- logging once ----

  private void tellTooBig(LocalCopy c, long size) {
    if (c.toldTooBig) return;
    c.toldTooBig = true;
    log.warn(
        "shared files: {} is {} bytes, over the {} MiB a shared file may have; it is not"
            + " replicated through etcd until it is smaller (other replicas keep their older copy)",
        c.path,
        size,
        MAX_BYTES >> 20);
  }

  private void tellUnavailable(ClusterUnavailable e) {
    if (toldUnavailable) return;
    toldUnavailable = true;
    log.warn(
        "shared files: etcd does not answer ({}); retrying every {} ms",
        e.getMessage(),
        POLL.toMillis());
  }

  private void tellAvailable() {
    if (!toldUnavailable) return;
    toldUnavailable = false;
    log.info("shared files: etcd answers again");
  }

  /** Runs {@code task} on the worker (at once when already on it) and waits for its result. */
  private <T> T onWorker(String what, Callable<T> task) {
    if (Thread.currentThread() == workerThread.get()) return call(task);
    Future<T> future;
    try {
      future = worker.submit(task);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the shared files are closed", e);
    }
    try {
      return future.get(CALLER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new ClusterUnavailable(
          what + " did not finish in " + CALLER_WAIT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new ClusterUnavailable(what + " was interrupted", e);
    }
  }

  private static <T> T call(Callable<T> task) {
    try {
      return task.call();
    } catch (Exception e) {
      throw rethrown(e);
    }
  }

  private static RuntimeException rethrown(Throwable cause) {
    if (cause instanceof RuntimeException r) return r;
    if (cause instanceof Error error) throw error;
    if (cause instanceof IOException io) return new UncheckedIOException(io);
    return new IllegalStateException(cause);
  }
}
