package ogp.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LoopGuard;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.source.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a standby replica ready to lead without a cold start of its desired state: its Git mirror
 * holds the revision the leader applied, and that revision's files are parsed into the replica's
 * {@link ParseCache}. An elected replica's server then fetches only what came after and parses only
 * files that changed since (docs/ha.md, "Takeover").
 *
 * <p>Policy: every {@link #TURN} the replica's copy of the shared {@code applied-revision} file
 * (kept current from etcd by the shared files) is read; when it names a commit other than the one
 * last followed, the mirror is brought to it ({@link GitMirror#snapshotAt}, which fetches when the
 * commit is missing; the mirror's followed branch is not moved, so the server's first poll still
 * reads the whole tree) and every desired-state file is parsed through the cache. Nothing is
 * applied or validated here and nothing is written but the mirror. A failure (the forge down, a
 * commit gone) is logged once per distinct message and tried again next turn: a standby that could
 * not follow only starts slower. One daemon thread of low priority; {@link #handOver()} stops it
 * and gives the mirror to the server, which closes it.
 */
final class StandbyGitFollower {
  private static final Logger log = LoggerFactory.getLogger(StandbyGitFollower.class);

  /** How often the applied revision is looked at (one read of a 41-byte file). */
  static final Duration TURN = Duration.ofSeconds(1);

  private final GitMirror mirror;
  private final Path appliedRevisionFile;
  private final DesiredStateReader reader;
  private final ParseCache cache;
  private final ScheduledExecutorService worker;
  private String followed; // worker only
  private String lastFailure; // worker only

  private StandbyGitFollower(GitMirror mirror, Path appliedRevisionFile, ParseCache cache) {
    this.mirror = mirror;
    this.appliedRevisionFile = appliedRevisionFile;
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
  static StandbyGitFollower start(
      GitRemote remote,
      Path dataDir,
      Duration gitTimeout,
      Path appliedRevisionFile,
      ParseCache cache) {
    StandbyGitFollower follower =
        new StandbyGitFollower(
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
    String sha = appliedRevision();
    if (sha == null || sha.equals(followed)) return;
    long start = System.nanoTime();
    try {
      Snapshot snapshot = mirror.snapshotAt(sha);
      long fetched = System.nanoTime();
      long misses = cache.misses();
      snapshot.files().forEach((path, content) -> cache.read(reader, path, content));
      followed = sha;
      lastFailure = null;
      log.info(
          "standing by at the leader's revision {}: {} file(s), {} parsed (mirror {} ms, parse {} ms)",
          sha.substring(0, 12),
          snapshot.files().size(),
          cache.misses() - misses,
          (fetched - start) / 1_000_000,
          (System.nanoTime() - fetched) / 1_000_000);
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
