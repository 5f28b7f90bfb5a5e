package ogp.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LoopGuard;
import ogp.reconciler.agents.HostBindings;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.plan.FleetPlan;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.source.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a standby replica ready to lead without a cold start: its Git mirror holds the revision the
 * leader applied, that revision's files are parsed into the replica's {@link ParseCache} and
 * planned once, and the shared host bindings are read once in a while. An elected replica's server
 * then fetches only what came after, parses only files that changed since, and runs code the JVM
 * has compiled already (docs/ha.md, "A takeover, step by step").
 *
 * <p>Policy: every {@link #TURN} the replica's copy of the shared {@code applied-revision} file
 * (kept current from etcd by the shared files) is read; when it names a commit other than the one
 * last followed, and has named it for {@link #SETTLE} (the first revision at once), the mirror is
 * brought to it ({@link GitMirror#snapshotAt}, which fetches when the commit is missing; the
 * mirror's followed branch is not moved, so the server's first poll still reads the whole tree) and
 * every desired-state file is parsed through the cache. Nothing is applied or validated here and
 * nothing is written but the mirror. A failure (the forge down, a commit gone) is logged once per
 * distinct message and tried again next turn: a standby that could not follow only starts slower.
 * The replica's copy of {@code hosts.json} (10,000 hosts: 2.5 MB of JSON) is read from a private
 * copy and dropped when it changed, at most once per {@link #HOST_BINDINGS_EVERY}: cold, that read
 * was a third of an elected server's start. One daemon thread of low priority; {@link #handOver()}
 * stops it and gives the mirror to the server, which closes it.
 */
final class WarmStandby {
  private static final Logger log = LoggerFactory.getLogger(WarmStandby.class);

  /** How often the applied revision is looked at (one read of a 41-byte file). */
  static final Duration TURN = Duration.ofSeconds(1);

  /** How long a new applied revision must stay before it is followed (the first one at once). */
  static final Duration SETTLE = Duration.ofSeconds(3);

  /** How often at most the shared host bindings are read ahead. */
  static final Duration HOST_BINDINGS_EVERY = Duration.ofMinutes(1);

  private final GitMirror mirror;
  private final Path appliedRevisionFile;
  private final Path hostBindingsFile;
  private java.nio.file.attribute.FileTime hostBindingsRead; // worker only
  private long hostBindingsReadAt; // worker only
  private final DesiredStateReader reader;
  private final ParseCache cache;
  private final ScheduledExecutorService worker;
  private String followed; // worker only
  private String seen; // worker only: the applied revision last read, and since when
  private long seenSince;
  private String lastFailure; // worker only

  private WarmStandby(GitMirror mirror, Path appliedRevisionFile, ParseCache cache) {
    this.mirror = mirror;
    this.appliedRevisionFile = appliedRevisionFile;
    this.hostBindingsFile = appliedRevisionFile.resolveSibling(HostBindings.FILE);
    this.cache = cache;
    this.reader = new DesiredStateReader(mirror.remote().path());
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-standby-git");
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            });
  }

  /**
   * Opens the replica's mirror and starts following.
   *
   * @param appliedRevisionFile the replica's copy of the shared applied-revision file
   */
  static WarmStandby start(
      GitRemote remote,
      Path dataDir,
      Duration gitTimeout,
      Path appliedRevisionFile,
      ParseCache cache) {
    WarmStandby follower =
        new WarmStandby(
            GitMirror.open(remote, dataDir, gitTimeout),
            Objects.requireNonNull(appliedRevisionFile, "appliedRevisionFile"),
            Objects.requireNonNull(cache, "cache"));
    follower.worker.scheduleWithFixedDelay(
        LoopGuard.guarded("following the leader's applied revision", follower::turn),
        0,
        TURN.toMillis(),
        TimeUnit.MILLISECONDS);
    return follower;
  }

  /** Stops following (a turn under way finishes on its own) and gives up the mirror. */
  GitMirror handOver() {
    worker.shutdownNow();
    return mirror;
  }

  /** Stops following and closes the mirror (the replica stops). */
  void close() {
    handOver().close();
  }

  private void turn() {
    readHostBindingsAhead();
    String sha = appliedRevision();
    if (sha == null || sha.equals(followed)) return;
    // Not while commits follow each other: the standby's fetch and parse would take the CPU the
    // leader needs for them on a shared machine, and a takeover parses a few changed files anyway.
    if (!sha.equals(seen)) {
      seen = sha;
      seenSince = System.nanoTime();
    }
    if (System.nanoTime() - seenSince < SETTLE.toNanos() && followed != null) return;
    long start = System.nanoTime();
    try {
      Snapshot snapshot = mirror.snapshotAt(sha);
      long fetched = System.nanoTime();
      long misses = cache.misses();
      List<FileResult> files = new ArrayList<>(snapshot.files().size());
      snapshot.files().forEach((path, content) -> files.add(cache.read(reader, path, content)));
      long parsed = System.nanoTime();
      int planned = planOnce(files, sha);
      followed = sha;
      lastFailure = null;
      log.info(
          "standing by at the leader's revision {}: {} file(s), {} parsed, {} host plan(s) made"
              + " (mirror {} ms, parse {} ms, plan {} ms)",
          sha.substring(0, 12),
          snapshot.files().size(),
          cache.misses() - misses,
          planned,
          (fetched - start) / 1_000_000,
          (parsed - fetched) / 1_000_000,
          (System.nanoTime() - parsed) / 1_000_000);
    } catch (RuntimeException e) {
      String failure = e.getMessage();
      if (!Objects.equals(failure, lastFailure))
        log.warn(
            "cannot follow the leader's revision {} (a takeover then fetches and parses it): {}",
            sha.substring(0, 12),
            failure);
      lastFailure = failure;
    }
  }

  /**
   * Plans the revision once, as an elected server does first (the fleet's plan, then each placed
   * host's containers), and drops the result: the JVM compiles that code now rather than during a
   * takeover, when every agent reconnects at once (a first plan of 1,000 apps for 10,000 hosts took
   * seconds cold on two cores). Hosts are those the apps list, and one per label selector; at most
   * {@link #MAX_WARM_HOSTS}. Returns how many host plans were made.
   */
  private static int planOnce(List<FileResult> files, String sha) {
    ReadResult read = DesiredStateReader.combine(files);
    if (!read.valid()) return 0;
    FleetPlan plan = FleetPlan.EMPTY.next(read.state(), app -> sha);
    int hosts = 0;
    for (App app : read.state().apps().values()) {
      if (hosts >= MAX_WARM_HOSTS) break;
      if (app.placement() instanceof Placement.Hosts listed) {
        for (String host : listed.hostIds()) {
          if (hosts++ >= MAX_WARM_HOSTS) break;
          plan.containersFor(host, Map.of());
        }
      } else if (app.placement() instanceof Placement.Selector selector) {
        hosts++;
        plan.containersFor("", selector.matchLabels());
      }
    }
    return hosts;
  }

  /** Host plans made ahead at most, per followed revision. */
  static final int MAX_WARM_HOSTS = 20_000;

  /** Reads a private copy of the shared host bindings when they changed (see the class). */
  private void readHostBindingsAhead() {
    long now = System.nanoTime();
    if (hostBindingsRead != null && now - hostBindingsReadAt < HOST_BINDINGS_EVERY.toNanos())
      return;
    Path copy = null;
    try {
      java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(hostBindingsFile);
      if (modified.equals(hostBindingsRead)) return;
      hostBindingsRead = modified;
      hostBindingsReadAt = now;
      copy = Files.createTempDirectory("ogp-warm-hosts-");
      Files.copy(hostBindingsFile, copy.resolve(HostBindings.FILE));
      long start = System.nanoTime();
      try (HostBindings read = HostBindings.open(copy)) {
        log.debug(
            "read the shared host bindings ahead in {} ms",
            (System.nanoTime() - start) / 1_000_000);
      }
    } catch (NoSuchFileException e) {
      // no host bound yet
    } catch (IOException | RuntimeException e) {
      log.debug("could not read the shared host bindings ahead: {}", e.toString());
    } finally {
      if (copy != null) {
        try {
          Files.deleteIfExists(copy.resolve(HostBindings.FILE));
          Files.deleteIfExists(copy);
        } catch (IOException e) {
          log.debug("cannot delete {}: {}", copy, e.toString());
        }
      }
    }
  }

  /** The sha the leader applied last, or null when none is known (yet). */
  private String appliedRevision() {
    try {
      String sha = Files.readString(appliedRevisionFile, StandardCharsets.US_ASCII).strip();
      return sha.matches("[0-9a-f]{40}") ? sha : null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
