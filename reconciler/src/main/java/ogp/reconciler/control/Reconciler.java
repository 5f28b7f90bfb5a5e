package ogp.reconciler.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentLinks;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.desired.DesiredStateLimits;
import ogp.reconciler.rollout.Rollouts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop. Level-triggered and keyed by host: an event (a new revision, an agent
 * connecting, the periodic resync) only marks a host id dirty in the {@link HostQueue}; a single
 * worker takes dirty hosts and sends each the assignment computed from the <em>latest</em> applied
 * revision, if it differs from what that agent session last got. Agents converge on their own and
 * report; status is computed from those reports on demand ({@link FleetReadModel}).
 *
 * <p>Threads: one fetch worker runs Git I/O (polls and refresh requests, coalesced); one reconcile
 * worker takes dirty hosts, runs the rollout tick and the resync, and sends assignments (sending
 * only enqueues on the agent's channel). Agent callbacks ({@link AgentEvents}) arrive on the agent
 * server's listener executor and only mark hosts dirty. No lock is held while doing I/O. Both
 * workers survive any throwable (logged and counted, {@link #loopFailures()}). {@link
 * ReconcilerObserver}s are called on those same threads, after the state they describe is visible
 * through the read side.
 *
 * <p>Failures: a host whose reconcile throws is retried after a per-host exponential backoff
 * ({@link HostQueue}), reset by its next success.
 *
 * <p>Rollouts: for apps whose {@code update} policy gates a rollout, {@link Rollouts} decides on
 * the reconcile worker (every 250 ms and on each revision) which hosts get the new spec and which
 * are sent back what they run; a host with such an app is sent nothing before its first report.
 *
 * <p>Safety: without an applied revision nothing is sent, so a server that cannot read Git on start
 * never tells agents to remove their containers; a lost host is never re-planned.
 *
 * <p>Time: every reading of the time comes from the injected clock (backoffs, timers, when an
 * assignment was sent); only durations measured for observers use the monotonic nano clock.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /** How often rollouts look at the latest reports (a host turning healthy frees a slot). */
  static final Duration ROLLOUT_TICK = Duration.ofMillis(250);

  private static final int HINT_RETRIES = 5;

  /** How long {@link #close()} waits for each worker to finish what it is doing. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final DesiredStateSource source;
  private final AgentLinks agents;
  private final HostQueue queue;
  private final SentAssignments sent;
  private final PlanCache plans;
  private final Rollouts rollouts;
  private final ReconcilerObservers observers;
  private final Clock clock;
  private final Duration pollInterval;
  private final Duration resyncInterval;
  private final ScheduledExecutorService fetchWorker =
      Executors.newSingleThreadScheduledExecutor(named("ogp-fetch"));
  private final Thread reconcileWorker = newThread("ogp-reconcile", this::runReconcileWorker);
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private final AtomicLong loopFailures = new AtomicLong();
  private volatile boolean closed;

  // Reconcile worker only:
  /** The revision {@link #rollouts} last saw. */
  private AppliedRevision rolloutsEvaluatedFor;

  /** Per host, the revision whose over-limit assignment was last refused (told once). */
  private final java.util.Map<String, String> refusedRevision = new java.util.HashMap<>();

  private Instant nextRolloutTick;
  private Instant nextResync;

  Reconciler(
      DesiredStateSource source,
      AgentLinks agents,
      HostQueue queue,
      SentAssignments sent,
      PlanCache plans,
      Rollouts rollouts,
      ReconcilerObservers observers,
      Clock clock,
      Duration pollInterval,
      Duration resyncInterval) {
    this.source = source;
    this.agents = agents;
    this.queue = queue;
    this.sent = sent;
    this.plans = plans;
    this.rollouts = rollouts;
    this.observers = observers;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.resyncInterval = resyncInterval;
    this.nextRolloutTick = clock.instant().plus(ROLLOUT_TICK);
    this.nextResync = clock.instant().plus(resyncInterval);
  }

  /** Adds an observer of the loop's events; call before {@link #start()} to miss none. */
  public void addObserver(ReconcilerObserver observer) {
    observers.add(observer);
  }

  /** Starts polling Git, the reconcile worker and its timers. The first fetch happens at once. */
  public void start() {
    fetchWorker.scheduleWithFixedDelay(
        this::pollQuietly, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    reconcileWorker.start();
  }

  /** Fetches from Git now, on the fetch worker; requests made while one is queued coalesce. */
  public void requestRefresh() {
    requestRefresh("");
  }

  /**
   * Like {@link #requestRefresh()}, with the commit a push webhook announced: if the fetch does not
   * show that commit yet (a replica behind the one that sent the hook), fetch again a few times
   * with growing delays. The hint only decides whether to look again; what is applied is what Git
   * says.
   */
  public void requestRefresh(String expectedCommit) {
    if (refreshQueued.compareAndSet(false, true)) {
      fetchWorker.execute(() -> refreshExpecting(expectedCommit, 0));
    }
  }

  /**
   * An admin's confirmation of the held revision {@code revision}: when it is the one held now, it
   * is applied on the fetch worker (after a fetch under way) and true is returned; false when no
   * revision or another one is held. If a newer commit replaces the hold before the worker gets to
   * it, the confirmation lapses: it holds only for that commit.
   *
   * @param by who confirmed it, for the log
   */
  public boolean confirmHeld(String revision, String by) {
    HeldRevision hold = source.held().orElse(null);
    if (hold == null || !hold.revision().equals(revision)) return false;
    fetchWorker.execute(
        () -> {
          try {
            if (!source.applyHeld(revision, by)) {
              log.warn(
                  "the confirmation of revision {} lapsed: a newer commit replaced the hold",
                  revision);
            }
          } catch (Throwable t) { // an Error here would vanish into the executor's future
            survived("applying a confirmed revision", t);
          }
        });
    return true;
  }

  /** Throwables the workers caught and survived since start (each logged). */
  public long loopFailures() {
    return loopFailures.get();
  }

  private void refreshExpecting(String expectedCommit, int attempt) {
    refreshQueued.set(false);
    pollQuietly();
    try {
      if (expectedCommit.isEmpty() || source.mirror().contains(expectedCommit)) return;
    } catch (Throwable e) {
      survived("checking for an announced commit", e);
      return;
    }
    if (attempt >= HINT_RETRIES) {
      log.warn(
          "a push announced commit {}, but Git does not show it after {} fetches",
          expectedCommit,
          attempt + 1);
      return;
    }
    fetchWorker.schedule(
        () -> refreshExpecting(expectedCommit, attempt + 1),
        100L << attempt,
        TimeUnit.MILLISECONDS);
  }

  private void pollQuietly() {
    try {
      refreshObserved();
    } catch (RuntimeException e) {
      log.warn("fetching the desired state failed: {}", e.getMessage());
    } catch (Throwable t) {
      survived("fetching the desired state", t);
    }
  }

  /**
   * {@link DesiredStateSource#refresh()}, timed and told to observers (a new invalid revision too).
   */
  private void refreshObserved() {
    long start = System.nanoTime();
    InvalidRevision invalidBefore = source.invalid().orElse(null);
    HeldRevision heldBefore = source.held().orElse(null);
    AppliedRevision appliedBefore = source.applied().orElse(null);
    boolean applied;
    try {
      applied = source.refresh();
    } catch (RuntimeException e) {
      String error = source.lastFetchError().orElse(String.valueOf(e.getMessage()));
      observers.tell(o -> o.fetchFailed(error));
      observers.tell(
          o ->
              o.fetched(
                  ReconcilerObserver.FetchOutcome.FAILED,
                  Duration.ofNanos(System.nanoTime() - start)));
      throw e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    InvalidRevision invalidAfter = source.invalid().orElse(null);
    // The source keeps the same InvalidRevision object until a new commit is read: identity tells a
    // new rejection.
    boolean rejected = invalidAfter != null && invalidAfter != invalidBefore;
    if (rejected) observers.tell(o -> o.revisionRejected(invalidAfter));
    HeldRevision heldAfter = source.held().orElse(null);
    boolean held = heldAfter != null && heldAfter != heldBefore;
    if (held) observers.tell(o -> o.revisionHeld(heldAfter));
    boolean changed = applied || rejected || held || source.applied().orElse(null) != appliedBefore;
    var outcome =
        changed
            ? ReconcilerObserver.FetchOutcome.CHANGED
            : ReconcilerObserver.FetchOutcome.UNCHANGED;
    observers.tell(o -> o.fetched(outcome, took));
  }

  // --- the reconcile worker -------------------------------------------------------------------

  private void runReconcileWorker() {
    while (!closed) {
      try {
        Optional<String> hostId = queue.take(untilNextTimer());
        runDueTimers();
        hostId.ifPresent(this::reconcileObserved);
      } catch (InterruptedException e) {
        return;
      } catch (Throwable t) {
        if (closed) return;
        survived("the reconcile worker", t);
      }
    }
  }

  private Duration untilNextTimer() {
    Instant next = nextRolloutTick.isBefore(nextResync) ? nextRolloutTick : nextResync;
    Duration wait = Duration.between(clock.instant(), next);
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  /** The rollout tick and the resync, when due. Reconcile worker (or a test in its place) only. */
  void runDueTimers() {
    Instant now = clock.instant();
    if (!now.isBefore(nextRolloutTick)) {
      nextRolloutTick = now.plus(ROLLOUT_TICK);
      evaluateRolloutsQuietly();
    }
    if (!now.isBefore(nextResync)) {
      nextResync = now.plus(resyncInterval);
      markAllDirty("resync");
    }
  }

  /** Reconciles every host ready now, one after the other. Reconcile worker (or a test) only. */
  void reconcileReadyHosts() {
    for (Optional<String> hostId = queue.poll(); hostId.isPresent(); hostId = queue.poll()) {
      reconcileObserved(hostId.get());
    }
  }

  private void reconcileObserved(String hostId) {
    long start = System.nanoTime();
    boolean failed = false;
    try {
      reconcile(hostId);
      queue.succeeded(hostId);
    } catch (RuntimeException e) {
      failed = true;
      Duration backoff = queue.retryLater(hostId);
      log.error("reconciling host {} failed; retried in {} ms", hostId, backoff.toMillis(), e);
    } catch (Throwable t) {
      // An Error too: the host was taken from the queue, so letting it escape would drop the host
      // until the next resync. It is retried after its backoff like any failure, and counted.
      failed = true;
      Duration backoff = queue.retryLater(hostId);
      survived("reconciling host " + hostId + " (retried in " + backoff.toMillis() + " ms)", t);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    boolean failedStep = failed;
    observers.tell(o -> o.reconciled(hostId, took, failedStep));
  }

  private void markAllDirty(String why) {
    List<String> ids = connectedHostIds(agents);
    log.debug("{}: {} host(s) to reconcile", why, ids.size());
    queue.addAll(ids);
  }

  static List<String> connectedHostIds(AgentLinks agents) {
    return agents.hosts().stream().filter(HostRecord::connected).map(HostRecord::hostId).toList();
  }

  /** Sends the host its assignment when the current session has not had this one yet. */
  private void reconcile(String hostId) {
    AppliedRevision applied = source.applied().orElse(null);
    if (applied == null) return; // no valid desired state yet: say nothing rather than "remove all"
    HostRecord host = agents.host(hostId).orElse(null);
    if (host == null || !host.connected()) return; // lost or gone: its containers stay as they are
    if (rolloutsEvaluatedFor != applied) evaluateRollouts(applied);
    // A gated rollout must know what the host runs before it may tell it anything: a server that
    // just restarted mid-rollout must not give every reconnecting host the new version. A host is
    // reconciled again once an evaluation (at most a tick later) has decided it.
    if (rollouts.holds(hostId, host.labels())) return;
    List<ContainerSpec> specs =
        rollouts.adjust(hostId, plans.planFor(applied).containersFor(hostId, host.labels()));
    SentAssignments.Sent previous = sent.of(hostId).orElse(null);
    // Whole specs, not only hashes: the run state and the app's revision are not part of the hash.
    if (previous != null && previous.specs().equals(specs) && !lostInTransit(previous, host)) {
      return; // this session already has it
    }
    long gen = sent.nextGeneration();
    Assignment assignment =
        Assignment.newBuilder()
            .setRevision(applied.revision())
            .setGeneration(gen)
            .addAllContainers(specs)
            .build();
    // Only known now: which apps a host's labels select. An over-limit assignment is not sent (the
    // agent would refuse the frame and reconnect in a loop); the host keeps what it runs.
    Optional<String> overLimit = overLimit(assignment);
    if (overLimit.isPresent()) {
      refuse(hostId, applied.revision(), overLimit.get());
      return;
    }
    refusedRevision.remove(hostId);
    if (agents.send(hostId, assignment)) {
      sent.record(hostId, gen, specs);
      observers.tell(o -> o.assignmentSent(hostId, gen));
      log.debug(
          "sent {} container(s) at {} to {} (generation {})",
          specs.size(),
          applied.revision(),
          hostId,
          gen);
    }
  }

  /** Why an assignment must not be sent, or empty when it is within the limits. */
  static Optional<String> overLimit(Assignment assignment) {
    int bytes = assignment.getSerializedSize();
    if (bytes > Protocol.MAX_ASSIGNMENT_BYTES) {
      return Optional.of(
          "its assignment is "
              + bytes
              + " bytes, more than the limit of "
              + Protocol.MAX_ASSIGNMENT_BYTES
              + " bytes");
    }
    long apps =
        assignment.getContainersList().stream().map(ContainerSpec::getApp).distinct().count();
    if (apps > DesiredStateLimits.MAX_APPS_PER_HOST) {
      return Optional.of(
          "it is selected by "
              + apps
              + " apps, more than the limit of "
              + DesiredStateLimits.MAX_APPS_PER_HOST);
    }
    return Optional.empty();
  }

  /** Logs and tells observers once per host and revision that its assignment was not sent. */
  private void refuse(String hostId, String revision, String why) {
    if (revision.equals(refusedRevision.put(hostId, revision))) return;
    String reason = "not sent to host " + hostId + ": " + why + "; it keeps what it runs";
    log.warn("revision {}: the assignment was {}", revision, reason);
    observers.tell(o -> o.assignmentRefused(hostId, revision, reason));
  }

  private void evaluateRolloutsQuietly() {
    try {
      AppliedRevision applied = source.applied().orElse(null);
      if (applied != null) evaluateRollouts(applied);
    } catch (Throwable t) {
      // Not even an Error may leave runDueTimers: it would skip the resync and drop the host the
      // worker had just taken. The next tick tries again.
      survived("the rollout tick (retried on the next tick)", t);
    }
  }

  /** Advances every gated rollout and reconciles the hosts whose containers to send changed. */
  private void evaluateRollouts(AppliedRevision applied) {
    rolloutsEvaluatedFor = applied;
    queue.addAll(
        rollouts.evaluate(
            applied.state(), applied.revision(), plans.planFor(applied), agents::hosts));
  }

  /** An assignment the agent has not reported back within a resync interval is sent again. */
  private boolean lostInTransit(SentAssignments.Sent previous, HostRecord host) {
    long reported = host.lastReport().map(StatusReport::getGeneration).orElse(0L);
    return reported < previous.generation()
        && Duration.between(previous.at(), clock.instant()).compareTo(resyncInterval) > 0;
  }

  private void survived(String where, Throwable t) {
    loopFailures.incrementAndGet();
    log.error("{} failed; it goes on", where, t);
  }

  @Override
  public void close() {
    closed = true;
    fetchWorker.shutdownNow();
    reconcileWorker.interrupt();
    queue.wakeUp();
    // Wait for the workers: a fetch still running would write to the data dir (the mirror, the
    // applied revision) after the caller thinks the loop is gone, e.g. while it deletes the dir.
    try {
      if (!fetchWorker.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("the fetch worker did not stop within {} s", CLOSE_WAIT.toSeconds());
      }
      if (Thread.currentThread() != reconcileWorker) {
        reconcileWorker.join(CLOSE_WAIT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return r -> newThread(name, r);
  }

  private static Thread newThread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
