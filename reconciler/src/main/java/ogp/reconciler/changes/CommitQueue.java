package ogp.reconciler.changes;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.source.GitSourceException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lands requested changes on the followed branch, each as its own commit.
 *
 * <p>Landing policy: a batch of requests is applied in order to the fetched tip, each request's
 * commit on top of the previous one's (so every requested version is its own commit in history,
 * never merged away), and pushed at once with the fetched tip as the expected old value. When the
 * push is rejected because the branch moved, the whole batch is applied again to the new tip after
 * a jittered exponential backoff (50 ms doubling, at most {@value #MAX_BACKOFF_MS} ms; the serial
 * writer waits at most {@value #SERIAL_RETRY_WINDOW_MS} ms), until each request's own deadline; a
 * request still not landed then is given up with one sentence. A request that changes nothing or is
 * refused on the tip its batch landed on is answered as such. A fetch or push that fails for any
 * other reason (the remote is unreachable or stalls past the transport timeout) fails the whole
 * batch at once: nothing is retried against a broken remote.
 *
 * <p>Two ways in. {@link #land} runs one request on the calling thread (what {@code ogp set-image}
 * does, racing other pushers). {@link #submit} hands it to the <em>serial writer</em>, one thread
 * that takes requests in arrival order, up to {@value #MAX_BATCH} at a time: the server's writers
 * (API, portal, automatic rollback) never race each other, so none is refused for a race. After
 * each of its own pushes the serial writer leaves the branch alone for {@link #OUTSIDE_TURN}
 * (requests arriving meanwhile join the next batch), so well-behaved outside pushers with backoff
 * are not starved by a busy server. The queue holds at most {@value #CAPACITY} requests; beyond
 * that a request is refused at once ({@link ChangeBusy}).
 *
 * <p>Threads: {@link #land} may run on many threads at once; no lock is held during network I/O.
 * The serial writer survives any throwable (the batch fails, the error is logged and counted).
 */
final class CommitQueue implements AutoCloseable {
  static final int CAPACITY = 256;
  static final int MAX_BATCH = 32;

  /** Long enough for an outside committer's fetch, edit and push on a busy machine. */
  static final Duration OUTSIDE_TURN = Duration.ofMillis(300);

  /** The longest pause between two tries of a change landed on the calling thread. */
  static final long MAX_BACKOFF_MS = 1_000;

  /** The serial writer's pause before it tries again after an outside push won. */
  static final long SERIAL_RETRY_WINDOW_MS = 50;

  private static final Logger log = LoggerFactory.getLogger(CommitQueue.class);
  private static final PersonIdent COMMITTER = new PersonIdent("ogp", "ogp@localhost");

  /**
   * What a waiting caller allows the writer beyond the request's deadline: one stalled fetch and
   * push.
   */
  private static final Duration WRITER_SLACK = Duration.ofSeconds(90);

  /** One change someone asked for, and where its answer goes. */
  record Request(
      CommitListener.Kind kind,
      String app,
      ReapplicableChange change,
      Actor actor,
      long deadlineNanos,
      CompletableFuture<ChangeResult> result) {
    Request(
        CommitListener.Kind kind,
        String app,
        ReapplicableChange change,
        Actor actor,
        Duration budget) {
      this(
          kind,
          app,
          change,
          actor,
          System.nanoTime() + budget.toNanos(),
          new CompletableFuture<>());
    }
  }

  /** Told of each request whose commit landed, in commit order, on the landing thread. */
  @FunctionalInterface
  interface Landed {
    void landed(Request request, ChangeResult result);
  }

  private final Repository repository;
  private final FollowedBranch branch;
  private final Supplier<Tip> fetchTip;
  private final Landed landed;
  private final Runnable afterPush;
  private final BlockingQueue<Request> queue = new ArrayBlockingQueue<>(CAPACITY);
  private volatile Thread writer;
  private volatile boolean closed;
  private volatile long writerFailures;
  private volatile BooleanSupplier mayCommit = () -> true;

  CommitQueue(
      Repository repository,
      FollowedBranch branch,
      Supplier<Tip> fetchTip,
      Landed landed,
      Runnable afterPush) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.branch = Objects.requireNonNull(branch, "branch");
    this.fetchTip = Objects.requireNonNull(fetchTip, "fetchTip");
    this.landed = Objects.requireNonNull(landed, "landed");
    this.afterPush = Objects.requireNonNull(afterPush, "afterPush");
  }

  /**
   * Lands {@code request} on the calling thread, racing any other pusher, and returns its answer.
   */
  ChangeResult land(Request request) {
    landBatch(List.of(request));
    return answer(request, Duration.ZERO);
  }

  /**
   * Asks {@code mayCommit} right before each push; when it says no, nothing is pushed and every
   * change of the batch is answered with {@link NotLeader}.
   */
  void fencedBy(BooleanSupplier mayCommit) {
    this.mayCommit = Objects.requireNonNull(mayCommit, "mayCommit");
  }

  /** Starts the serial writer; {@link #submit} needs it. */
  synchronized void startWriter() {
    if (writer != null) return;
    if (closed) throw new IllegalStateException("the change queue is closed");
    Thread t = new Thread(this::writeForever, "ogp-change-writer");
    t.setDaemon(true);
    writer = t;
    t.start();
  }

  /** Hands {@code request} to the serial writer and waits for its answer. */
  ChangeResult submit(Request request) {
    if (writer == null) {
      if (closed) throw new ChangeRefused("The server is stopping; the change was not committed.");
      throw new IllegalStateException("the serial writer is not started");
    }
    if (!queue.offer(request)) {
      throw new ChangeBusy(
          CAPACITY + " changes are already waiting to be committed; try again in a moment.");
    }
    return answer(request, WRITER_SLACK);
  }

  /** Serial-writer batches that failed on an unexpected error (not a refusal or a Git failure). */
  long writerFailures() {
    return writerFailures;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = writer;
    writer = null;
    if (t != null) t.interrupt();
    for (Request r; (r = queue.poll()) != null; ) {
      r.result()
          .completeExceptionally(
              new ChangeRefused("The server is stopping; the change was not committed."));
    }
  }

  // --- the serial writer ------------------------------------------------------------------------

  private void writeForever() {
    long quietUntil = 0;
    while (writer == Thread.currentThread()) {
      List<Request> batch = new ArrayList<>();
      try {
        batch.add(queue.take());
        // Leave the branch to outside pushers for a moment after our own push; later arrivals join
        // this batch.
        long wait = quietUntil - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        queue.drainTo(batch, MAX_BATCH - 1);
        if (landBatch(batch) > 0) quietUntil = System.nanoTime() + OUTSIDE_TURN.toNanos();
      } catch (
          InterruptedException
              e) { // close(): what this batch holds is answered like what still queues
        batch.forEach(
            r ->
                r.result()
                    .completeExceptionally(
                        new ChangeRefused(
                            "The server is stopping; the change was not committed.")));
        return;
      } catch (Throwable t) {
        writerFailures++;
        log.error("the change writer failed a batch: {}", t.toString(), t);
        batch.forEach(
            r ->
                r.result()
                    .completeExceptionally(
                        new ChangeRefused("The change could not be committed: " + t)));
      }
    }
  }

  // --- landing a batch ------------------------------------------------------------------------

  private record Commit(Request request, ObjectId id, ProposedChange change) {}

  private record Answer(Request request, ChangeResult result, RuntimeException error) {
    void give() {
      if (error != null) request.result().completeExceptionally(error);
      else request.result().complete(result);
    }
  }

  /**
   * Lands every request of {@code batch} or answers it otherwise; the attempts its push took, 0
   * when nothing was pushed.
   */
  private int landBatch(List<Request> batch) {
    List<Request> open = new ArrayList<>(batch);
    ObjectId lastTip = null;
    try {
      for (int attempt = 1; ; attempt++) {
        int tries = attempt;
        ObjectId movedFrom = lastTip;
        open.removeIf(r -> expired(r, tries, movedFrom));
        if (open.isEmpty()) return 0;
        Tip base = fetchTip.get();
        List<Answer> answers = new ArrayList<>();
        List<Commit> commits = new ArrayList<>();
        Tip tip = base;
        for (Request r : open) {
          try {
            ProposedChange change = propose(r, tip);
            if (change.isNoOp()) {
              answers.add(
                  new Answer(
                      r,
                      new ChangeResult(
                          Optional.empty(),
                          change.subject(),
                          "Nothing to commit: "
                              + r.app()
                              + " is already as asked on "
                              + branch.name()
                              + "."),
                      null));
              continue;
            }
            validate(r.app(), tip, change);
            ObjectId id = write(tip, change, r.actor());
            commits.add(new Commit(r, id, change));
            tip = tip.then(id, change);
          } catch (
              RuntimeException
                  refused) { // a refusal, or a bug in one change: it must not sink the others
            answers.add(new Answer(r, null, refused));
          }
        }
        if (commits.stream().anyMatch(c -> c.request().result().isDone()))
          continue; // a caller gave up: leave its commit out
        if (!commits.isEmpty() && !mayCommit.getAsBoolean()) {
          // A replica that lost its leadership pushes nothing: the leader commits from now on.
          answers.forEach(Answer::give);
          commits.forEach(c -> c.request().result().completeExceptionally(new NotLeader()));
          log.warn("{} change(s) not pushed: this replica no longer leads", commits.size());
          return 0;
        }
        if (commits.isEmpty()
            || branch.publish(base.commit(), tip.commit()) == FollowedBranch.Outcome.LANDED) {
          answers.forEach(Answer::give);
          if (commits.isEmpty()) return 0;
          // The server's log records every commit; a CLI caller prints its own result line instead.
          boolean server = Thread.currentThread() == writer;
          for (Commit c : commits) {
            String what = c.change().subject();
            if (server)
              log.info(
                  "{} committed {} ({}) for {}",
                  branch.name(),
                  c.id().name(),
                  what,
                  c.request().actor().displayName());
            else
              log.debug(
                  "{} committed {} ({}) for {}",
                  branch.name(),
                  c.id().name(),
                  what,
                  c.request().actor().displayName());
            ChangeResult result =
                new ChangeResult(
                    Optional.of(c.id().name()),
                    c.change().subject(),
                    "Committed "
                        + c.id().abbreviate(7).name()
                        + " to "
                        + branch.name()
                        + ": "
                        + c.change().subject()
                        + ".");
            tellLanded(c.request(), result);
            c.request().result().complete(result);
          }
          runAfterPush();
          return attempt;
        }
        // Nothing of this attempt is final: every request is applied again to the new tip.
        log.debug(
            "branch {} moved during {} change(s) (attempt {}), re-applying on the new tip",
            branch.name(),
            commits.size(),
            attempt);
        lastTip = base.commit();
        backoff(attempt, open, Thread.currentThread() == writer);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      open.forEach(
          r ->
              r.result()
                  .completeExceptionally(
                      new ChangeRefused(
                          "Interrupted while committing the change; nothing was committed.")));
      return 0;
    } catch (RuntimeException e) { // the remote is unreachable or stalled: fail fast, retry nothing
      open.forEach(r -> r.result().completeExceptionally(e));
      return 0;
    }
  }

  private boolean expired(Request r, int attempt, ObjectId lastTip) {
    if (r.result().isDone()) return true; // its caller stopped waiting
    if (attempt == 1 || System.nanoTime() < r.deadlineNanos()) return false;
    r.result()
        .completeExceptionally(
            new ChangeConflict(
                "Branch "
                    + branch.name()
                    + " kept moving: gave up after "
                    + (attempt - 1)
                    + " attempt(s) in the time allowed (last tip "
                    + (lastTip == null ? "unknown" : lastTip.abbreviate(7).name())
                    + "); nothing was committed. Try again, or give a longer timeout."));
    return true;
  }

  private static void backoff(int attempt, List<Request> open, boolean serialWriter)
      throws InterruptedException {
    // Full jitter: contenders spread over the whole window instead of colliding again in step. The
    // serial writer lost to an outside pusher, who has had its turn: it tries again almost at once
    // (its pause after each of its own pushes is what gives outsiders their turns).
    long window =
        serialWriter
            ? SERIAL_RETRY_WINDOW_MS
            : Math.min(MAX_BACKOFF_MS, 50L << Math.min(attempt - 1, 6));
    long millis = ThreadLocalRandom.current().nextLong(1, window + 1);
    long untilFirstDeadline =
        open.stream().mapToLong(Request::deadlineNanos).min().orElse(0) - System.nanoTime();
    // Sleep no further than the first deadline, so that request gets its last try within its time.
    Thread.sleep(Math.max(1, Math.min(millis, TimeUnit.NANOSECONDS.toMillis(untilFirstDeadline))));
  }

  private ProposedChange propose(Request r, Tip tip) {
    try {
      return r.change().on(tip, r.actor());
    } catch (IOException e) {
      throw new GitSourceException(
          "Cannot read " + branch.name() + " at " + tip.commit().name() + ": " + e.getMessage(), e);
    }
  }

  private static void validate(String app, Tip tip, ProposedChange change) {
    ReadResult result = tip.tree().validateWith(change.path(), change.after());
    if (!result.valid()) throw new InvalidChange(app, result.errors());
  }

  private ObjectId write(Tip tip, ProposedChange change, Actor actor) {
    try (RevWalk walk = new RevWalk(repository)) {
      return new CommitWriter(repository)
          .write(walk.parseCommit(tip.commit()), change, actor.ident(), COMMITTER);
    } catch (IOException e) {
      throw new GitSourceException(
          "Cannot write the commit for " + change.subject() + ": " + e.getMessage(), e);
    }
  }

  private void tellLanded(Request request, ChangeResult result) {
    try {
      landed.landed(request, result);
    } catch (RuntimeException e) {
      log.warn("a commit listener failed: {}", e.getMessage());
    }
  }

  private void runAfterPush() {
    try {
      afterPush.run();
    } catch (RuntimeException e) {
      // The commit has landed; the reconciler's poll or webhook will apply it anyway.
      log.warn("applying the new commit at once failed: {}", e.getMessage());
    }
  }

  private static ChangeResult answer(Request request, Duration slack) {
    long remaining = request.deadlineNanos() - System.nanoTime() + slack.toNanos();
    try {
      return request.result().get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      // Stop the writer from landing it later: an answer that said "failed" must stay true.
      request.result().completeExceptionally(e);
      throw new ChangeConflict(
          "The change could not be committed in the time allowed (the server's change writer is busy"
              + " or the Git remote is slow); it will not be committed. Try again.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      request.result().completeExceptionally(e);
      throw new ChangeRefused("Interrupted while waiting for the change to be committed.");
    }
  }
}
