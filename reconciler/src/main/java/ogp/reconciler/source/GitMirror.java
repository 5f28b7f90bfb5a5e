package ogp.reconciler.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one branch of one remote repository through a bare mirror on disk and turns it into
 * immutable {@link Snapshot}s.
 *
 * <p>Cost policy: a poll first reads the remote's ref advertisement for the branch (no objects).
 * When the branch still points at the current snapshot's commit nothing else happens. Otherwise the
 * branch is fetched with a force refspec (so a force-push is followed, never refused) unless the
 * mirror already holds the commit, and the new snapshot is derived from the previous one by reading
 * only the changed blobs.
 *
 * <p>Concurrency rules: readers never wait for the network. {@link #poll()} reads the advertisement
 * and fetches the objects first, then moves the branch ref and swaps in the new snapshot under the
 * short snapshot lock, which only ever covers local reads; {@link #mirrored()}, {@link
 * #contains(String)} and {@link #current()} take at most that lock. Concurrent polls still produce
 * one snapshot per new commit, and an older poll never replaces the snapshot of a newer one.
 * Fetches into the object database take turns on the <em>fetch lock</em> (JGit cannot write the
 * same pack from two fetches at once: "Cannot lock pack"); only fetches take it, each network read
 * is bounded by the transport timeout ({@link #DEFAULT_TIMEOUT} unless opened with another), and a
 * fetch waits at most twice that for its turn before it fails. Network calls block: never call them
 * on a Netty event loop or another thread that must not block.
 *
 * <p>Credentials policy: nothing this class logs or throws contains credentials (see {@link
 * Redaction}).
 */
public final class GitMirror implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GitMirror.class);
  private static final String REMOTE = "origin";

  /**
   * Everything a fetch for {@link #snapshotAt(String)} brings in when the revision is not in the
   * mirror yet.
   */
  private static final List<RefSpec> ALL_BRANCHES_AND_TAGS =
      List.of(
          new RefSpec("+refs/heads/*:refs/remotes/" + REMOTE + "/*"),
          new RefSpec("+refs/tags/*:refs/tags/*"));

  /**
   * How long one network read may wait for the remote, unless the mirror is opened with another
   * timeout.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  private final GitRemote remote;
  private final Repository repository;
  private final RemoteAccess access;
  private final RevisionFiles files;
  private final SnapshotReader reader;

  /**
   * Guards the swap of {@link #current} with the move of the branch ref; never held during network
   * I/O.
   */
  private final Object snapshotLock = new Object();

  /**
   * Orders fetches into the object database; held during network I/O, taken by nothing but a fetch.
   */
  private final ReentrantLock fetchLock = new ReentrantLock();

  private final Duration timeout;

  /**
   * Numbers polls in the order they start, so an older poll never replaces a newer one's snapshot.
   */
  private final AtomicLong pollsStarted = new AtomicLong();

  private long newestSwap; // guarded by snapshotLock
  private volatile Snapshot current;

  private GitMirror(GitRemote remote, Repository repository, Duration timeout) {
    this.remote = remote;
    this.repository = repository;
    this.access = new RemoteAccess(remote.credentials(), timeout);
    this.timeout = timeout;
    this.files = new RevisionFiles(repository, remote.path());
    this.reader = new SnapshotReader(files);
  }

  /**
   * Opens the mirror of {@code remote} under {@code dataDir/git/}, creating an empty bare
   * repository the first time (objects arrive with the first poll). An existing mirror is reused,
   * so a restart does not clone again; a mirror recorded for a different URL is discarded and
   * created anew.
   */
  public static GitMirror open(GitRemote remote, Path dataDir) {
    return open(remote, dataDir, DEFAULT_TIMEOUT);
  }

  /**
   * Like {@link #open(GitRemote, Path)}, with {@code timeout} for every connect and read of the
   * remote.
   */
  public static GitMirror open(GitRemote remote, Path dataDir, Duration timeout) {
    MirrorLocation location = MirrorLocation.of(remote, dataDir);
    try {
      return new GitMirror(remote, openOrCreate(location, remote), timeout);
    } catch (IOException | GitAPIException e) {
      throw new GitSourceException(
          "Cannot open the Git mirror in " + location.directory() + ": " + e.getMessage(), e);
    }
  }

  private static Repository openOrCreate(MirrorLocation location, GitRemote remote)
      throws IOException, GitAPIException {
    Path dir = location.directory();
    if (Files.isDirectory(dir)) {
      Optional<Repository> existing = openExisting(dir);
      if (existing.isPresent()
          && location
              .identity()
              .equals(existing.get().getConfig().getString("remote", REMOTE, "url"))) {
        return configured(existing.get(), location, remote);
      }
      existing.ifPresent(Repository::close);
      // The mirror is a cache of the remote: one for another URL, or a broken one, is rebuilt,
      // never trusted.
      log.warn("Recreating Git mirror {} for {}", dir, remote.redactedUrl());
      deleteRecursively(dir);
    }
    Files.createDirectories(dir.getParent());
    Repository created =
        Git.init()
            .setBare(true)
            .setGitDir(dir.toFile())
            .setInitialBranch(remote.branch())
            .call()
            .getRepository();
    return configured(created, location, remote);
  }

  private static Repository configured(
      Repository repository, MirrorLocation location, GitRemote remote) throws IOException {
    StoredConfig config = repository.getConfig();
    // Recorded for operators and for the reuse check above; fetches pass the URL with credentials
    // directly.
    config.setString("remote", REMOTE, "url", location.identity());
    config.setString(
        "remote", REMOTE, "fetch", "+" + remote.branchRef() + ":" + remote.branchRef());
    // Every fetch adds a pack, so automatic gc must stay on; but it must run inside the fetch,
    // under the
    // mirror lock, not on a background thread that outlives close() and races with
    // re-initialization.
    config.setBoolean("gc", null, "autoDetach", false);
    config.save();
    return repository;
  }

  private static Optional<Repository> openExisting(Path dir) {
    try {
      return Optional.of(
          new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).setBare().build());
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The followed remote (its {@code toString()} is redacted). */
  public GitRemote remote() {
    return remote;
  }

  /**
   * The commit the followed branch points at on the remote, from one ref advertisement (no fetch).
   *
   * @throws GitSourceException when the remote is unreachable, refuses the credentials, or has no
   *     such branch
   */
  public String remoteHead() {
    try (Transport transport =
            access.configure(Transport.open(repository, new URIish(remote.url())));
        FetchConnection connection =
            transport.openFetch(List.of(new RefSpec(remote.branchRef())))) {
      Ref ref = connection.getRef(remote.branchRef());
      if (ref == null || ref.getObjectId() == null) {
        throw missingBranch();
      }
      return ref.getObjectId().name();
    } catch (URISyntaxException e) {
      throw new GitSourceException("The Git URL " + remote.redactedUrl() + " is not valid.");
    } catch (IOException e) {
      throw failure("Cannot read branch " + remote.branch() + " of " + remote.redactedUrl(), e);
    }
  }

  /**
   * Brings the snapshot up to date with the remote branch; see the class comment for what it costs.
   * The first poll of a mirror instance always returns a snapshot, with every file as changed.
   */
  public PollResult poll() {
    long ticket = pollsStarted.incrementAndGet();
    Snapshot previous = current;
    String head = remoteHead();
    if (previous != null && previous.revision().equals(head)) {
      return PollResult.unchanged(false);
    }
    try {
      ObjectId target = ObjectId.fromString(head);
      boolean fetched = !hasCommit(target);
      // The branch may have moved again since the advertisement: what the fetch brought in wins.
      if (fetched) target = fetchObjects(remote.branchRef());
      synchronized (snapshotLock) {
        Snapshot now = current;
        if (ticket < newestSwap || (now != null && now.revision().equals(target.name()))) {
          return PollResult.unchanged(
              fetched); // a poll that started later already swapped, or this one is not new
        }
        moveBranchRef(target);
        SnapshotReader.Delta delta = reader.read(target, now);
        current = delta.snapshot();
        newestSwap = ticket;
        log.info(
            "Git source {} branch {} now at {} ({} files changed{})",
            remote.redactedUrl(),
            remote.branch(),
            target.name(),
            delta.changedPaths().size(),
            fetched ? ", fetched" : "");
        return new PollResult(delta.snapshot(), delta.changedPaths(), fetched);
      }
    } catch (IOException e) {
      throw failure("Cannot fetch branch " + remote.branch() + " of " + remote.redactedUrl(), e);
    }
  }

  /**
   * The snapshot at any commit-ish (full or abbreviated sha, branch, tag). Names resolve against
   * the mirror as last fetched, then against all remote branches and tags, fetched once on demand.
   * It does not change {@link #current()}.
   */
  public Snapshot snapshotAt(String rev) {
    try {
      ObjectId id = resolve(rev);
      if (id == null) {
        inFetchTurn(
            () ->
                access
                    .configure(Git.wrap(repository).fetch())
                    .setRemote(remote.url())
                    .setRefSpecs(ALL_BRANCHES_AND_TAGS)
                    .call());
        id = resolve(rev);
      }
      if (id == null) {
        throw new GitSourceException(
            "Revision "
                + rev
                + " is neither a commit nor a branch or tag of "
                + remote.redactedUrl()
                + ".");
      }
      return reader.read(id, current).snapshot();
    } catch (IOException | GitAPIException e) {
      throw failure("Cannot read revision " + rev + " of " + remote.redactedUrl(), e);
    }
  }

  /**
   * The snapshot of the branch as last fetched into the mirror, without any network access; for
   * starting while the remote is unreachable. Empty when nothing was ever fetched.
   */
  public Optional<Snapshot> mirrored() {
    synchronized (snapshotLock) {
      return mirroredLocked();
    }
  }

  private Optional<Snapshot> mirroredLocked() {
    try {
      Ref ref = repository.exactRef(remote.branchRef());
      return ref == null || ref.getObjectId() == null
          ? Optional.empty()
          : Optional.of(reader.read(ref.getObjectId(), current).snapshot());
    } catch (IOException e) {
      throw failure("Cannot read the Git mirror of " + remote.redactedUrl(), e);
    }
  }

  /** The latest snapshot produced by {@link #poll()}; empty before the first successful poll. */
  public Optional<Snapshot> current() {
    return Optional.ofNullable(current);
  }

  /**
   * Whether the mirror has this commit (a full or abbreviated sha) as last fetched; no network
   * access. Used to tell whether a commit a webhook announced has arrived.
   */
  public boolean contains(String commit) {
    try {
      ObjectId id = repository.resolve(commit + "^{commit}");
      return id != null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The bare mirror, for code that produces commits; hold no expectations about refs other than the
   * followed branch.
   */
  public Repository repository() {
    return repository;
  }

  /**
   * The desired-state files of the mirror at any revision it holds, read as the snapshots are
   * ({@link RevisionFiles}); local reads only, no network.
   */
  public RevisionFiles files() {
    return files;
  }

  /**
   * Opens a transport to the followed remote with its credentials applied, for code that fetches
   * into or pushes from {@link #repository()} (the change service). Takes no lock; the caller
   * closes it.
   */
  public Transport openTransport() {
    try {
      return access.configure(Transport.open(repository, new URIish(remote.url())));
    } catch (URISyntaxException e) {
      throw new GitSourceException("The Git URL " + remote.redactedUrl() + " is not valid.");
    } catch (IOException e) {
      throw failure("Cannot reach " + remote.redactedUrl(), e);
    }
  }

  @Override
  public void close() {
    synchronized (snapshotLock) {
      access.close();
      repository.close();
    }
  }

  private boolean hasCommit(ObjectId id) throws IOException {
    if (!repository.getObjectDatabase().has(id)) {
      return false;
    }
    try (RevWalk walk = new RevWalk(repository)) {
      walk.parseCommit(id);
      return true;
    } catch (IncorrectObjectTypeException e) {
      return false;
    }
  }

  /**
   * Fetches the objects of the remote's {@code ref} into the mirror without moving any ref (a
   * refspec without destination) and returns the commit the remote advertised for it. The poll
   * moves the followed branch's ref itself, with its snapshot; the change service only needs the
   * objects.
   *
   * @throws GitSourceException when the remote is unreachable, stalls past the timeout, or has no
   *     such ref
   */
  public ObjectId fetchObjects(String ref) {
    try {
      return inFetchTurn(
          () -> {
            try (Transport transport = openTransport()) {
              FetchResult result =
                  transport.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec(ref)));
              Ref advertised = result.getAdvertisedRef(ref);
              if (advertised == null || advertised.getObjectId() == null) {
                throw missingBranch();
              }
              return advertised.getObjectId();
            }
          });
    } catch (IOException | GitAPIException e) {
      throw failure("Cannot fetch branch " + remote.branch() + " of " + remote.redactedUrl(), e);
    }
  }

  @FunctionalInterface
  private interface Fetch<T> {
    T run() throws IOException, GitAPIException;
  }

  /**
   * Runs {@code fetch} holding the fetch lock, waiting at most twice the transport timeout for it.
   */
  private <T> T inFetchTurn(Fetch<T> fetch) throws IOException, GitAPIException {
    boolean locked;
    try {
      locked = fetchLock.tryLock(2 * timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GitSourceException(
          "Interrupted while waiting to fetch from " + remote.redactedUrl() + ".");
    }
    if (!locked) {
      throw new GitSourceException(
          "Cannot fetch branch "
              + remote.branch()
              + " of "
              + remote.redactedUrl()
              + ": another fetch from it has not finished in "
              + 2 * timeout.toSeconds()
              + " s (the remote is slow or stalled).");
    }
    try {
      return fetch.run();
    } finally {
      fetchLock.unlock();
    }
  }

  private void moveBranchRef(ObjectId target) throws IOException {
    RefUpdate update = repository.updateRef(remote.branchRef());
    update.setNewObjectId(target);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.update();
    if (!succeeded(result)) {
      throw new GitSourceException(
          "The Git mirror could not update " + remote.branchRef() + " (" + result + ").");
    }
  }

  private static boolean succeeded(RefUpdate.Result result) {
    return switch (result) {
      case NEW, FAST_FORWARD, FORCED, NO_CHANGE -> true;
      default -> false;
    };
  }

  /** The commit {@code rev} names in the mirror, or null when the mirror does not have it (yet). */
  private ObjectId resolve(String rev) throws IOException {
    try {
      ObjectId id = repository.resolve(rev + "^{commit}");
      if (id == null) {
        id = repository.resolve("refs/remotes/" + REMOTE + "/" + rev + "^{commit}");
      }
      // A full sha resolves even when the object is absent: only a commit we hold counts.
      return id != null && hasCommit(id) ? id : null;
    } catch (MissingObjectException e) {
      return null;
    } catch (RevisionSyntaxException | AmbiguousObjectException | IncorrectObjectTypeException e) {
      throw new GitSourceException("Revision " + rev + " does not name exactly one commit.");
    }
  }

  private GitSourceException missingBranch() {
    return new GitSourceException(
        "Branch " + remote.branch() + " does not exist in " + remote.redactedUrl() + ".");
  }

  private GitSourceException failure(String what, Exception error) {
    if (error instanceof GitSourceException g) {
      return g;
    }
    List<String> secrets = remote.credentials().secrets();
    String reason = Redaction.scrub(rootMessage(error), secrets);
    String message = what + ": " + reason;
    return Redaction.leaks(error, secrets)
        ? new GitSourceException(message)
        : new GitSourceException(message, error);
  }

  /**
   * The most specific message of the chain, without the URL prefix JGit puts in front of transport
   * errors.
   */
  private String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t && t.getCause().getMessage() != null) {
      t = t.getCause();
    }
    String message = String.valueOf(t.getMessage());
    int prefix = message.indexOf(": ");
    String head = prefix < 0 ? "" : message.substring(0, prefix);
    return head.contains("://") || head.equals(remote.url())
        ? message.substring(prefix + 2)
        : message;
  }
}
