package ogp.reconciler.changes;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import ogp.reconciler.auth.Role;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitSourceException;
import ogp.reconciler.source.RevisionFiles;
import ogp.reconciler.source.Snapshot;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commit-producing changes to the desired state (SPEC §5.4): deploy, place, take offline, bring
 * online, roll back. The one implementation behind the API, the portal and {@code ogp set-image}.
 *
 * <p>Policy: every change starts from the remote branch's current tip, edits only the bytes it must
 * in the app's file ({@link YamlEdit}) or reverts one commit's change to the app's own document in
 * that file ({@link Revert}, within what the caller's role may change: {@link RollbackScope}),
 * validates the whole resulting tree with the reconciler's own rules, writes one commit in core
 * (author = the actor, committer = {@code ogp <ogp@localhost>}, trailers {@code Ogp-App} and {@code
 * Ogp-Actor}) and pushes it with the expected old tip. How it lands is {@link CommitQueue}'s
 * policy: a push rejected because the branch moved is re-applied on the new tip with jittered
 * backoff until the change's time budget ({@link #DEFAULT_BUDGET} unless {@link #retryingFor}) is
 * spent; a change that no longer applies is reported, never forced. A change that changes nothing
 * makes no commit. After a push lands, {@code afterPush} runs (the server passes a request to
 * refresh, so the commit is applied at once without blocking the caller).
 *
 * <p>Modes: by default each call lands its change on the calling thread (the CLI). A server calls
 * {@link #serialized()}: its calls then go through one writer thread, in arrival order, and never
 * race each other.
 *
 * <p>Reads: {@link #history} reads the local mirror at the revision {@link #readingHistoryAt} names
 * (the server's applied revision), so a page view never touches the network; without one it reads
 * at the mirror's last snapshot, or fetches the tip when there is none (the CLI, tests).
 *
 * <p>Threads: calls may run concurrently and hold no lock during network I/O; they block on it
 * (each read bounded by the mirror's transport timeout): never call them on an event loop.
 */
public final class ChangeService implements AutoCloseable {
  /**
   * How long a change keeps retrying on a moving branch, unless {@link #retryingFor} says
   * otherwise.
   */
  public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(2);

  static final int HISTORY_LIMIT = 100;
  private static final Logger log = LoggerFactory.getLogger(ChangeService.class);

  private final GitMirror mirror;

  /**
   * The mirror's desired-state files at any revision: every read of the change path goes through
   * it.
   */
  private final RevisionFiles files;

  private final AppHistory appHistory;
  private final Revert revert;
  private final RollbackScope scope = new RollbackScope();
  private final FollowedBranch branch;
  private final CommitQueue queue;
  private volatile CommitListener listener = CommitListener.NONE;
  private volatile Duration budget = DEFAULT_BUDGET;
  private volatile boolean serial;
  private volatile Supplier<Optional<String>> historyRevision;

  /**
   * @param mirror the mirror of the followed remote (objects are fetched into and written to its
   *     repository)
   * @param afterPush runs after each push that landed, on the thread that pushed; its failures are
   *     logged, not thrown
   */
  public ChangeService(GitMirror mirror, Runnable afterPush) {
    this(mirror, new FollowedBranch(mirror), afterPush);
  }

  /**
   * Tells {@code listener} of every commit that landed (the server records rollbacks as events).
   */
  public ChangeService withListener(CommitListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * With another way to reach the branch: tests use it to make the branch move at a chosen moment.
   */
  ChangeService(GitMirror mirror, FollowedBranch branch, Runnable afterPush) {
    this.mirror = Objects.requireNonNull(mirror, "mirror");
    this.files = mirror.files();
    this.appHistory = new AppHistory(files);
    this.revert = new Revert(files);
    this.branch = Objects.requireNonNull(branch, "branch");
    this.queue =
        new CommitQueue(
            mirror.repository(),
            branch,
            this::fetch,
            (request, result) -> tell(request.kind(), request.app(), result, request.actor()),
            afterPush);
    // Without a server's applied revision: the mirror's snapshot, else the branch as it is now (the
    // CLI).
    this.historyRevision =
        () ->
            mirror
                .current()
                .map(Snapshot::revision)
                .or(() -> Optional.of(branch.fetchTip().name()));
  }

  /**
   * Pushes a change only while {@code mayCommit} says so, asked right before each push: a replica
   * of a replicated server passes its leadership, so a deposed leader answers {@link NotLeader} and
   * pushes nothing (the automatic rollback goes through here too).
   */
  public ChangeService fencedBy(BooleanSupplier mayCommit) {
    queue.fencedBy(mayCommit);
    return this;
  }

  /** Gives each change {@code budget} to land on a moving branch before it is given up. */
  public ChangeService retryingFor(Duration budget) {
    if (budget.isNegative() || budget.isZero())
      throw new IllegalArgumentException("the change budget must be positive, got " + budget);
    this.budget = budget;
    return this;
  }

  /** Throwables the serial change writer caught and survived since start (each logged). */
  public long writerFailures() {
    return queue.writerFailures();
  }

  /**
   * Sends every change through one writer thread, in arrival order (the server); {@link #close()}
   * stops it.
   */
  public ChangeService serialized() {
    queue.startWriter();
    serial = true;
    return this;
  }

  /**
   * Reads history at the revision {@code revision} names (the server: its applied revision), else
   * at the mirror's snapshot.
   */
  public ChangeService readingHistoryAt(Supplier<Optional<String>> revision) {
    this.historyRevision = Objects.requireNonNull(revision, "revision");
    return this;
  }

  /** Stops the serial writer; changes still queued, and any made after, are refused. */
  @Override
  public void close() {
    queue.close();
  }

  /** Sets the app's version and/or its hosts; at least one must be given. */
  public ChangeResult deploy(
      String app, Optional<String> version, Optional<List<String>> hosts, Actor actor) {
    return deploy(app, version, hosts, actor, Optional.empty());
  }

  /**
   * Like {@link #deploy(String, Optional, Optional, Actor)} with the commit's subject given, e.g. a
   * CI build's own description; the trailers are added as always.
   */
  public ChangeResult deploy(
      String app,
      Optional<String> version,
      Optional<List<String>> hosts,
      Actor actor,
      Optional<String> subject) {
    return commit(CommitListener.Kind.DEPLOY, deployChange(app, version, hosts, subject), actor);
  }

  /** Sets {@code state: absent}: the app's containers are removed, its definition stays. */
  public ChangeResult offline(String app, Actor actor) {
    return commit(CommitListener.Kind.OFFLINE, stateChange(app, "absent"), actor);
  }

  /** Sets {@code state: running}. */
  public ChangeResult online(String app, Actor actor) {
    return commit(CommitListener.Kind.ONLINE, stateChange(app, "running"), actor);
  }

  /**
   * Reverts {@code commit} (full or abbreviated sha), or else the newest commit that changed the
   * app, limited to the app's own document in its file. Rolling back a rollback re-deploys what it
   * undid. The revert may change only what {@code role} may change ({@link RollbackScope}: a
   * deployer the version and state).
   *
   * @param role the caller's role
   * @throws ChangeConflict when later commits changed the same lines
   * @throws RollbackForbidden when the revert would change more than {@code role} may
   */
  public ChangeResult rollback(String app, Optional<String> commit, Actor actor, Role role) {
    return commit(CommitListener.Kind.ROLLBACK, rollbackChange(app, commit, "", role), actor);
  }

  /**
   * The automatic rollback of a failed rollout (SPEC §2 {@code update.autoRollback}): reverts the
   * newest commit that changed the app as of {@code failedRevision}, the applied revision whose
   * version failed (not as of the tip: a fix committed meanwhile is never the one reverted; a tip
   * that changed the same lines makes the revert conflict instead), with {@code why} in the body.
   * When that commit <em>added</em> the app there is nothing to go back to: the app is taken
   * offline ({@code state: absent}: its containers go, its definition stays for the fix) and the
   * other apps of that commit, and its file, stay as they are. Refused when that commit is itself
   * an automatic rollback, so two failing versions never alternate without a person.
   *
   * @throws ChangeConflict when later commits changed the same lines
   */
  public ChangeResult rollbackFailedRevision(String app, String failedRevision, String why) {
    ObjectId target;
    boolean added;
    try (RevWalk walk = new RevWalk(files.repository())) {
      List<HistoryEntry> entries = appHistory.of(ObjectId.fromString(failedRevision), app, 1);
      if (entries.isEmpty())
        throw new ChangeRefused(
            "No commit up to "
                + failedRevision
                + " changed app "
                + app
                + "; nothing to roll back.");
      target = ObjectId.fromString(entries.get(0).sha());
      RevCommit commit = walk.parseCommit(target);
      if (CommitMessage.isAutomaticRollback(commit.getFullMessage())) {
        throw new ChangeRefused(
            "Commit "
                + target.abbreviate(7).name()
                + " that set "
                + app
                + "'s failing version is itself an automatic rollback; it is not reverted again.");
      }
      added = commit.getParentCount() == 0 || !defines(commit.getParent(0), app);
    } catch (IOException e) {
      throw new GitSourceException("Cannot read the history of " + app + ": " + e.getMessage(), e);
    }
    if (added) {
      String body =
          app
              + " was added by commit "
              + target.name()
              + " and has no earlier version to go back to."
              + (why.isBlank() ? "" : "\n\n" + why.strip());
      return commit(
          CommitListener.Kind.ROLLBACK,
          edit(app, "Take " + app + " offline", body, List.of(new Edit.SetState("absent"))),
          Actor.OGP);
    }
    return commit(
        CommitListener.Kind.ROLLBACK,
        // The server acts for the repository's own update.autoRollback, not for a person's role.
        rollbackChange(app, Optional.of(target.name()), why, Role.ADMIN),
        Actor.OGP);
  }

  /** Whether a document of the desired state at {@code commit} defines {@code app}. */
  private boolean defines(ObjectId commit, String app) {
    Snapshot snapshot = files.snapshotAt(commit.name());
    return snapshot.files().values().stream().anyMatch(bytes -> YamlEdit.holds(bytes, app));
  }

  /** The commit {@link #deploy} would make now, without making it. */
  public ChangePreview previewDeploy(
      String app, Optional<String> version, Optional<List<String>> hosts, Actor actor) {
    return preview(deployChange(app, version, hosts, Optional.empty()), actor);
  }

  public ChangePreview previewOffline(String app, Actor actor) {
    return preview(stateChange(app, "absent"), actor);
  }

  public ChangePreview previewOnline(String app, Actor actor) {
    return preview(stateChange(app, "running"), actor);
  }

  /** The commit {@link #rollback} would make now for {@code role}, without making it. */
  public ChangePreview previewRollback(
      String app, Optional<String> commit, Actor actor, Role role) {
    return preview(rollbackChange(app, commit, "", role), actor);
  }

  /**
   * The commits that changed the app up to the applied revision, newest first, at most {@value
   * #HISTORY_LIMIT}; read from the local mirror, never from the remote.
   */
  public List<HistoryEntry> history(String app) {
    String revision =
        historyRevision
            .get()
            .or(() -> mirror.current().map(Snapshot::revision))
            .orElseThrow(
                () ->
                    new GitSourceException(
                        "The branch "
                            + branch.name()
                            + " has not been fetched yet; try again in a moment."));
    Snapshot snapshot =
        mirror
            .current()
            .filter(s -> s.revision().equals(revision))
            .orElseGet(() -> files.snapshotAt(revision));
    if (snapshot.files().values().stream().noneMatch(bytes -> YamlEdit.holds(bytes, app))) {
      throw new UnknownApp(
          "No app named "
              + app
              + " at the applied revision "
              + revision.substring(0, 7)
              + " of "
              + branch.name()
              + ".");
    }
    try {
      return appHistory.of(ObjectId.fromString(revision), app, HISTORY_LIMIT);
    } catch (IOException e) {
      throw new GitSourceException("Cannot read the history of " + app + ": " + e.getMessage(), e);
    }
  }

  // --- what each change does to a tip --------------------------------------------------------

  private record NamedChange(String app, ReapplicableChange change) {}

  private NamedChange deployChange(
      String app,
      Optional<String> version,
      Optional<List<String>> hosts,
      Optional<String> givenSubject) {
    if (version.isEmpty() && hosts.isEmpty()) {
      throw new ChangeRefused("A deploy needs a version, hosts, or both.");
    }
    List<Edit> edits = new ArrayList<>();
    version.ifPresent(v -> edits.add(new Edit.SetVersion(v)));
    hosts.ifPresent(h -> edits.add(new Edit.SetHosts(h)));
    String placement =
        hosts.map(h -> "on " + (h.isEmpty() ? "no hosts" : String.join(", ", h))).orElse("");
    String subject =
        givenSubject
            .filter(m -> !m.isBlank())
            .map(String::strip)
            .orElseGet(
                () ->
                    version
                        .map(
                            v ->
                                "Deploy "
                                    + app
                                    + " "
                                    + v
                                    + (placement.isEmpty() ? "" : " " + placement))
                        .orElse("Place " + app + " " + placement));
    return edit(app, subject, "", edits);
  }

  private NamedChange stateChange(String app, String state) {
    String subject =
        state.equals("absent") ? "Take " + app + " offline" : "Bring " + app + " online";
    return edit(app, subject, "", List.of(new Edit.SetState(state)));
  }

  private NamedChange edit(String app, String subject, String body, List<Edit> edits) {
    return new NamedChange(
        app,
        (tip, actor) -> {
          String file = tip.tree().fileOf(app).orElseThrow(() -> unknownApp(app, tip));
          byte[] before = tip.tree().snapshot().files().get(file);
          byte[] after = YamlEdit.applyAll(file, before, app, edits);
          return new ProposedChange(
              file, before, Optional.of(after), CommitMessage.of(subject, body, app, actor));
        });
  }

  private NamedChange rollbackChange(String app, Optional<String> given, String why, Role role) {
    // The commit to revert is chosen once, on the first tip: a retry re-applies the same revert.
    ObjectId[] target = new ObjectId[1];
    return new NamedChange(
        app,
        (tip, actor) -> {
          String file = tip.tree().fileOf(app).orElseThrow(() -> unknownApp(app, tip));
          try (RevWalk walk = new RevWalk(files.repository())) {
            RevCommit head = walk.parseCommit(tip.commit());
            if (target[0] == null)
              target[0] =
                  given.isPresent() ? resolve(given.get(), head, walk) : newestChange(app, tip);
            RevCommit commit = walk.parseCommit(target[0]);
            byte[] before = tip.tree().snapshot().files().get(file);
            Revert.Reverted reverted = revert.apply(commit, head, file, app);
            scope.check(role, app, commit, file, reverted);
            return new ProposedChange(
                file,
                before,
                reverted.file(),
                CommitMessage.revert(commit.getShortMessage(), commit.getName(), why, app, actor));
          }
        });
  }

  private ObjectId newestChange(String app, Tip tip) throws IOException {
    List<HistoryEntry> entries = appHistory.of(tip.commit(), app, 1);
    if (entries.isEmpty())
      throw new ChangeRefused(
          "No commit on " + branch.name() + " changed app " + app + "; nothing to roll back.");
    return ObjectId.fromString(entries.get(0).sha());
  }

  private ObjectId resolve(String sha, RevCommit head, RevWalk walk) throws IOException {
    if (!sha.matches("[0-9a-fA-F]{4,40}")) {
      throw new ChangeRefused("\"" + sha + "\" is not a commit sha (expected 4 to 40 hex digits).");
    }
    Repository repository = files.repository();
    ObjectId id;
    try {
      id = repository.resolve(sha + "^{commit}");
    } catch (org.eclipse.jgit.errors.AmbiguousObjectException e) {
      throw new ChangeRefused("Commit " + sha + " is ambiguous; give more of its sha.");
    } catch (MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      id = null;
    }
    if (id == null
        || !repository.getObjectDatabase().has(id)
        || !walk.isMergedInto(walk.parseCommit(id), head)) {
      throw new UnknownApp("Commit " + sha + " is not on branch " + branch.name() + ".");
    }
    return id;
  }

  // --- landing -------------------------------------------------------------------------------

  private ChangeResult commit(CommitListener.Kind kind, NamedChange named, Actor actor) {
    CommitQueue.Request request =
        new CommitQueue.Request(kind, named.app(), named.change(), actor, budget);
    return serial ? queue.submit(request) : queue.land(request);
  }

  private ChangePreview preview(NamedChange named, Actor actor) {
    Tip tip = fetch();
    ProposedChange change = propose(named, tip, actor);
    if (!change.isNoOp()) {
      ReadResult result = tip.tree().validateWith(change.path(), change.after());
      if (!result.valid()) throw new InvalidChange(named.app(), result.errors());
    }
    return new ChangePreview(
        tip.commit().name(),
        change.message(),
        change.isNoOp() ? "" : UnifiedDiff.of(change.path(), change.before(), change.after()));
  }

  private ProposedChange propose(NamedChange named, Tip tip, Actor actor) {
    try {
      return named.change().on(tip, actor);
    } catch (IOException e) {
      throw new GitSourceException(
          "Cannot read " + branch.name() + " at " + tip.commit().name() + ": " + e.getMessage(), e);
    }
  }

  private void tell(CommitListener.Kind kind, String app, ChangeResult result, Actor actor) {
    try {
      listener.committed(kind, app, result, actor);
    } catch (RuntimeException e) {
      log.warn("a commit listener failed: {}", e.getMessage());
    }
  }

  private Tip fetch() {
    ObjectId tip = branch.fetchTip();
    return new Tip(tip, new DesiredTree(files.snapshotAt(tip.name())));
  }

  private UnknownApp unknownApp(String app, Tip tip) {
    return new UnknownApp(
        "No app named "
            + app
            + " on branch "
            + branch.name()
            + " (at "
            + tip.commit().abbreviate(7).name()
            + ").");
  }
}
