package ogp.reconciler.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.reconciler.desired.CombinedTree;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.DesiredStateFiles;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.desired.SourcePosition;
import ogp.reconciler.desired.ValidationError;
import ogp.reconciler.plan.RemovalCheck;
import ogp.reconciler.source.CommitInfo;
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
 *
 * <p>Mass removal: a valid revision that would remove more of the fleet's containers than its
 * policy allows ({@link RemovalCheck}) is <em>held</em> instead of applied: the previous revision
 * stays applied and the held one is reported ({@link #held()}) until an admin confirms exactly that
 * commit ({@link #applyHeld}) or a newer commit replaces it (evaluated afresh). The first revision
 * a server applies is compared with the revision it last applied before it started, when it
 * remembers one ({@code appliedRevisionFile}, a hint: without it, or when the mirror no longer has
 * that commit, the first revision is applied without comparison). A head held against that revision
 * makes it the applied one again, so a restart neither applies a held revision nor stops serving
 * the fleet.
 */
public final class DesiredStateSource {
  private static final Logger log = LoggerFactory.getLogger(DesiredStateSource.class);

  private final GitMirror mirror;
  private final DesiredStateReader reader;
  private final ParseCache parseCache;
  private final Clock clock;
  private final Consumer<AppliedRevision> onApplied;

  /**
   * Parse of every file of the mirror's last snapshot, valid or not; reused for unchanged files.
   */
  private final CombinedTree parsed = new CombinedTree();

  private volatile AppliedRevision applied;
  private volatile InvalidRevision invalid;
  private volatile HeldRevision held;
  private volatile Supplier<Map<String, Map<String, String>>> knownHosts = Map::of;
  private volatile Instant lastFetch;
  private volatile String lastFetchError;

  /** Where the sha of each applied revision is written, or null (not remembered). */
  private final Path appliedRevisionFile;

  public DesiredStateSource(GitMirror mirror, Clock clock, Consumer<AppliedRevision> onApplied) {
    this(mirror, clock, onApplied, null);
  }

  /**
   * @param appliedRevisionFile where the applied revision's sha is remembered across restarts (a
   *     hint for the mass-removal check of the first revision after a start), or null
   */
  public DesiredStateSource(
      GitMirror mirror,
      Clock clock,
      Consumer<AppliedRevision> onApplied,
      Path appliedRevisionFile) {
    this(mirror, clock, onApplied, appliedRevisionFile, ParseCache.none());
  }

  /**
   * @param parseCache the parses to reuse, e.g. those a standby made of the leader's revision
   */
  public DesiredStateSource(
      GitMirror mirror,
      Clock clock,
      Consumer<AppliedRevision> onApplied,
      Path appliedRevisionFile,
      ParseCache parseCache) {
    this.parseCache = java.util.Objects.requireNonNull(parseCache, "parseCache");
    this.mirror = mirror;
    this.clock = clock;
    this.onApplied = onApplied;
    this.reader = new DesiredStateReader(mirror.remote().path());
    this.appliedRevisionFile = appliedRevisionFile;
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
    held = null; // a newer commit replaces a hold; it is judged afresh below
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
    AppliedRevision before = applied == null ? rememberedRevision(snap.revision()) : applied;
    if (before != null) {
      RemovalCheck check = RemovalCheck.of(before.state(), result.state(), knownHosts.get());
      if (check.held()) {
        held = new HeldRevision(snap.commit(), result.state(), check, clock.instant());
        boolean restored = applied == null;
        if (restored) {
          // The first fetch after a start: the revision applied before the restart stays.
          applied = before;
          remember(before);
          log.warn(
              "applying {} again, the revision applied before this server started",
              shortSha(before.revision()));
        }
        log.warn(
            "revision {} by {} is held, not applied: it {}; still applying {} until an admin"
                + " confirms it (POST /api/v1/revision/confirm, ogp confirm)",
            shortSha(snap.revision()),
            snap.commit().authorName(),
            check.reason(),
            shortSha(before.revision()));
        if (restored) onApplied.accept(before);
        return restored;
      }
    }
    AppliedRevision next = promote(snap.commit(), result.state());
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

  /**
   * Applies the held revision when it is {@code revision}; false (and nothing changes) when no
   * revision is held or another one is (e.g. a newer commit replaced it).
   *
   * @param by who confirmed it, for the log
   */
  public synchronized boolean applyHeld(String revision, String by) {
    HeldRevision hold = held;
    if (hold == null || !hold.revision().equals(revision)) return false;
    held = null;
    log.warn(
        "revision {} by {} applied as confirmed by {}: it {}",
        shortSha(hold.revision()),
        hold.commit().authorName(),
        by,
        hold.check().reason());
    onApplied.accept(promote(hold.commit(), hold.state()));
    return true;
  }

  /** Makes {@code state} the applied revision. Under this object's lock. */
  private AppliedRevision promote(CommitInfo commit, DesiredState state) {
    AppliedRevision before = applied;
    AppliedRevision next =
        before == null
            ? new AppliedRevision(commit, state, clock.instant())
            : before.next(commit, state, clock.instant());
    applied = next;
    remember(next);
    return next;
  }

  /** Writes the applied revision's sha to {@link #appliedRevisionFile}; a failure is logged. */
  private void remember(AppliedRevision revision) {
    if (appliedRevisionFile == null) return;
    try {
      OwnerOnlyFile.write(appliedRevisionFile, revision.revision() + "\n");
    } catch (IOException | RuntimeException e) {
      log.warn(
          "cannot remember the applied revision in {}: {} (a restart then applies its first"
              + " revision without the mass-removal check)",
          appliedRevisionFile,
          e.getMessage());
    }
  }

  /**
   * The revision applied before this server started, read from the mirror at the remembered sha,
   * when it is another commit than {@code head} and still valid; else null (no comparison).
   */
  private AppliedRevision rememberedRevision(String head) {
    if (appliedRevisionFile == null || !Files.isRegularFile(appliedRevisionFile)) return null;
    try {
      String sha = Files.readString(appliedRevisionFile, StandardCharsets.US_ASCII).strip();
      if (!sha.matches("[0-9a-f]{40}") || sha.equals(head)) return null;
      if (!mirror.contains(sha)) {
        log.info(
            "the revision applied before this start, {}, is not in the repository any more;"
                + " the first revision is applied without the mass-removal check",
            shortSha(sha));
        return null;
      }
      Snapshot base =
          new RevisionFiles(mirror.repository(), mirror.remote().path()).snapshotAt(sha);
      List<FileResult> files =
          base.files().entrySet().stream()
              .map(f -> parseCache.read(reader, f.getKey(), f.getValue()))
              .toList();
      ReadResult result = DesiredStateReader.combine(files);
      return result.valid()
          ? new AppliedRevision(base.commit(), result.state(), clock.instant())
          : null;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "cannot read the revision applied before this start ({}); the first revision is applied"
              + " without the mass-removal check",
          e.getMessage());
      return null;
    }
  }

  /**
   * Where the mass-removal check counts apps placed by label selector: every known host by id with
   * its labels. Without it, only apps placed by host list count.
   */
  public void countSelectorsOn(Supplier<Map<String, Map<String, String>>> knownHosts) {
    this.knownHosts = knownHosts;
  }

  /** Records the commit as invalid, once: the mirror meets the same file again at every poll. */
  private void rejectOversized(FileTooLarge e) {
    held = null;
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
    return stream.map(path -> parseCache.read(reader, path, snap.files().get(path))).toList();
  }

  public Optional<AppliedRevision> applied() {
    return Optional.ofNullable(applied);
  }

  /** The newest revision, valid but held for an admin's confirmation, if there is one. */
  public Optional<HeldRevision> held() {
    return Optional.ofNullable(held);
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
