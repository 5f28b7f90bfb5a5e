package ogp.reconciler.control;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import ogp.reconciler.desired.CombinedTree;
import ogp.reconciler.desired.DesiredStateFiles;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.desired.SourcePosition;
import ogp.reconciler.desired.ValidationError;
import ogp.reconciler.source.FileTooLarge;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.PollResult;
import ogp.reconciler.source.RevisionFiles;
import ogp.reconciler.source.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the Git mirror and keeps the last <em>valid</em> desired state. A revision that does not
 * validate is never promoted: the previous one stays applied and the invalid one is reported
 * (revision, author, errors) until a later commit fixes it.
 *
 * <p>Only files the commit changed are parsed again; the parse of every other file is reused, and
 * only the changed files' apps are combined again ({@link CombinedTree}). Many changed files (a
 * first read) are parsed on all cores. {@link #refresh()} does network I/O and is serialized: call
 * it from a worker, never from a Netty event loop or a request thread that must answer fast.
 */
public final class DesiredStateSource {
  private static final Logger log = LoggerFactory.getLogger(DesiredStateSource.class);

  private final GitMirror mirror;
  private final DesiredStateReader reader = new DesiredStateReader();
  private final Clock clock;
  private final Consumer<AppliedRevision> onApplied;

  /**
   * Parse of every file of the mirror's last snapshot, valid or not; reused for unchanged files.
   */
  private final CombinedTree parsed = new CombinedTree();

  private volatile AppliedRevision applied;
  private volatile InvalidRevision invalid;
  private volatile Instant lastFetch;
  private volatile String lastFetchError;

  public DesiredStateSource(GitMirror mirror, Clock clock, Consumer<AppliedRevision> onApplied) {
    this.mirror = mirror;
    this.clock = clock;
    this.onApplied = onApplied;
  }

  /**
   * Asks the remote for its head and, when it moved, fetches, re-parses the changed files and
   * promotes the revision if it validates. Returns true when a new revision was applied. A fetch
   * failure is recorded (see {@link #lastFetchError()}) and rethrown.
   */
  public synchronized boolean refresh() {
    PollResult poll;
    long start = System.nanoTime();
    try {
      poll = mirror.poll();
      lastFetch = clock.instant();
      lastFetchError = null;
    } catch (FileTooLarge e) {
      // The fetch worked; the commit holds a file no reader takes: an invalid revision, its
      // author's to fix, as the parser would say of it.
      lastFetch = clock.instant();
      lastFetchError = null;
      rejectOversized(e);
      return false;
    } catch (RuntimeException e) {
      lastFetchError = e.getMessage();
      throw e;
    }
    Snapshot snap = poll.snapshot();
    if (snap == null) return false;
    for (String path : poll.changedPaths()) {
      if (!snap.files().containsKey(path)) parsed.remove(path);
    }
    long fetched = System.nanoTime();
    List<FileResult> files = parse(snap, poll.changedPaths());
    long parsedAt = System.nanoTime();
    files.forEach(parsed::put);
    parsed.retainOnly(snap.files().keySet());
    ReadResult result = parsed.result();
    long validated = System.nanoTime();
    result.warnings().forEach(w -> log.warn("{}: {}", snap.revision(), w));
    if (!result.valid()) {
      invalid = new InvalidRevision(snap.commit(), result.errors(), clock.instant());
      log.warn(
          "revision {} by {} is invalid and not applied ({} error(s)); still applying {}",
          shortSha(snap.revision()),
          snap.commit().authorName(),
          result.errors().size(),
          applied == null ? "nothing" : shortSha(applied.revision()));
      result.errors().forEach(e -> log.warn("  {}", e));
      return false;
    }
    invalid = null;
    AppliedRevision before = applied;
    AppliedRevision next =
        before == null
            ? new AppliedRevision(snap.commit(), result.state(), clock.instant())
            : before.next(snap.commit(), result.state(), clock.instant());
    applied = next;
    // Where a slow start or commit spends its time, e.g. a first clone of a big repository.
    long removed =
        before == null
            ? 0
            : before.state().apps().keySet().stream()
                .filter(a -> !next.state().apps().containsKey(a))
                .count();
    log.info(
        "applied revision {} ({} of {} app(s) added or changed{}): {} (fetch {} ms, parse of {} file(s) {} ms, validation {} ms)",
        shortSha(next.revision()),
        next.changedApps(),
        next.state().apps().size(),
        removed == 0 ? "" : ", " + removed + " removed",
        snap.commit().subject(),
        (fetched - start) / 1_000_000,
        files.size(),
        (parsedAt - fetched) / 1_000_000,
        (validated - parsedAt) / 1_000_000);
    onApplied.accept(next);
    return true;
  }

  /** Records the commit as invalid, once: the mirror meets the same file again at every poll. */
  private void rejectOversized(FileTooLarge e) {
    if (invalid != null && invalid.commit().sha().equals(e.commit().sha())) return;
    ValidationError error =
        new ValidationError(
            new SourcePosition(e.path(), 1, 1),
            DesiredStateFiles.tooLarge(e.size(), RevisionFiles.MAX_FILE_BYTES));
    invalid = new InvalidRevision(e.commit(), List.of(error), clock.instant());
    log.warn(
        "revision {} by {} is invalid and not applied (1 error(s)); still applying {}",
        shortSha(e.commit().sha()),
        e.commit().authorName(),
        applied == null ? "nothing" : shortSha(applied.revision()));
    log.warn("  {}", error);
  }

  /** Below this many files one thread parses: a commit's few files are not worth a fork. */
  private static final int PARALLEL_FROM = 64;

  /** The parse of every changed file that the snapshot still has. The reader is thread-safe. */
  private List<FileResult> parse(Snapshot snap, Collection<String> changedPaths) {
    List<String> paths = changedPaths.stream().filter(snap.files()::containsKey).toList();
    var stream = paths.size() >= PARALLEL_FROM ? paths.parallelStream() : paths.stream();
    return stream.map(path -> reader.readFile(path, snap.files().get(path))).toList();
  }

  public Optional<AppliedRevision> applied() {
    return Optional.ofNullable(applied);
  }

  /** The newest revision that failed validation, if it is newer than the applied one. */
  public Optional<InvalidRevision> invalid() {
    return Optional.ofNullable(invalid);
  }

  public Optional<Instant> lastFetch() {
    return Optional.ofNullable(lastFetch);
  }

  public Optional<String> lastFetchError() {
    return Optional.ofNullable(lastFetchError);
  }

  /** Creates the source with the callback that a newly applied revision is reported to. */
  @FunctionalInterface
  public interface Factory {
    DesiredStateSource create(Consumer<AppliedRevision> onApplied);
  }

  public GitMirror mirror() {
    return mirror;
  }

  static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
