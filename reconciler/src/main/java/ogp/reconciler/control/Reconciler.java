package ogp.reconciler.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentListener;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.FleetPlan;
import ogp.reconciler.plan.ContainerView;
import ogp.reconciler.plan.FleetStatus;
import ogp.reconciler.plan.HostStatus;
import ogp.reconciler.plan.HostView;
import ogp.reconciler.rollout.Rollouts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop. Level-triggered and keyed by host: an event (a new revision, an agent
 * connecting, the periodic resync) only marks a host id dirty; a single worker takes dirty hosts
 * and sends each the assignment computed from the <em>latest</em> applied revision, if it differs
 * from what that agent session last got. Agents converge on their own and report; status is
 * computed from those reports on demand ({@link FleetStatus}).
 *
 * <p>Threads: one fetch worker runs Git I/O (polls and refresh requests, coalesced); one reconcile
 * worker computes and sends assignments (sending only enqueues on the agent's channel). Agent
 * callbacks arrive on the agent server's listener executor and only mark hosts dirty. No lock is
 * held while doing I/O. {@link ReconcilerObserver}s are called on those same threads, after the
 * state they describe is visible through the read side.
 *
 * <p>Rollouts: for apps whose {@code update} policy gates a rollout, {@link Rollouts} decides on
 * the reconcile worker (every 250 ms and on each revision) which hosts get the new spec and which
 * are sent back what they run; a host with such an app is sent nothing before its first report.
 *
 * <p>Safety: without an applied revision nothing is sent, so a server that cannot read Git on
 * start never tells agents to remove their containers; a lost host is never re-planned.
 */
public final class Reconciler implements AgentListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final DesiredStateSource source;
  private final AgentServer agents;
  private final Duration pollInterval;
  private final Duration resyncInterval;
  private final ScheduledExecutorService fetchWorker =
      Executors.newSingleThreadScheduledExecutor(named("ogp-fetch"));
  private final ScheduledExecutorService reconcileWorker =
      Executors.newSingleThreadScheduledExecutor(named("ogp-reconcile"));
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private final Set<String> dirty = new LinkedHashSet<>(); // guarded by itself
  private final AtomicBoolean drainQueued = new AtomicBoolean();
  /** What each host's current agent session was last sent. Removed when a session starts. */
  private final Map<String, Sent> sent = new ConcurrentHashMap<>();
  /** Starts above any generation of an earlier server run, so agents see them increase. */
  private final AtomicLong generation = new AtomicLong(System.currentTimeMillis() * 1000);

  /** Copy-on-write: observers are added once at wiring time and read on every event. */
  private final List<ReconcilerObserver> observers = new CopyOnWriteArrayList<>();

  /**
   * What a session was sent. The specs are the plan's shared objects, so comparing a host's new
   * specs with these is mostly an identity check per container.
   */
  private record Sent(long generation, Instant at, List<ContainerSpec> specs) {}

  /** The plan of the applied revision; guarded by this (the reconcile worker and API reads). */
  private PlanOfRevision plan;

  /** Health-gated rollouts; evaluated and read by the reconcile worker only (status from anywhere). */
  private final Rollouts rollouts;
  /** The revision {@link #rollouts} last saw; reconcile worker only. */
  private AppliedRevision rolloutsEvaluatedFor;
  /** How often rollouts look at the latest reports (a host turning healthy frees a slot). */
  private static final Duration ROLLOUT_TICK = Duration.ofMillis(250);

  /** Starts the agent server with the reconciler as its listener. */
  @FunctionalInterface
  public interface AgentServerFactory {
    AgentServer start(AgentListener listener) throws InterruptedException;
  }

  /**
   * @param sourceFactory makes the desired-state source, given the callback for applied revisions
   * @param agentServerFactory starts the agent server, given this reconciler as its listener
   * @param pollInterval how often Git is asked for a new head
   * @param resyncInterval how often every host is looked at again without any event
   */
  public Reconciler(
      DesiredStateSource.Factory sourceFactory,
      AgentServerFactory agentServerFactory,
      Duration pollInterval,
      Duration resyncInterval)
      throws InterruptedException {
    this.source = sourceFactory.create(applied -> {
      markAllDirty("revision " + applied.revision());
      notifyObservers(o -> o.revisionApplied(applied));
    });
    this.rollouts = new Rollouts(source.mirror().repository(), source.mirror().remote().path(), java.time.Clock.systemUTC(),
        failure -> notifyObservers(o -> o.rolloutFailed(failure)));
    this.agents = agentServerFactory.start(this);
    this.pollInterval = pollInterval;
    this.resyncInterval = resyncInterval;
  }

  /** Adds an observer of the loop's events; call before {@link #start()} to miss none. */
  public void addObserver(ReconcilerObserver observer) {
    observers.add(java.util.Objects.requireNonNull(observer, "observer"));
  }

  private void notifyObservers(Consumer<ReconcilerObserver> call) {
    for (ReconcilerObserver o : observers) {
      try {
        call.accept(o);
      } catch (RuntimeException e) {
        // An observer only watches; its failure must never stop the control loop.
        log.error("reconciler observer {} failed", o.getClass().getSimpleName(), e);
      }
    }
  }

  /** Starts polling Git and the periodic resync. The first fetch happens at once. */
  public void start() {
    fetchWorker.scheduleWithFixedDelay(
        this::pollQuietly, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    reconcileWorker.scheduleWithFixedDelay(
        () -> markAllDirty("resync"),
        resyncInterval.toMillis(),
        resyncInterval.toMillis(),
        TimeUnit.MILLISECONDS);
    reconcileWorker.scheduleWithFixedDelay(
        this::evaluateRolloutsQuietly, ROLLOUT_TICK.toMillis(), ROLLOUT_TICK.toMillis(), TimeUnit.MILLISECONDS);
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

  private static final int HINT_RETRIES = 5;

  private void refreshExpecting(String expectedCommit, int attempt) {
    refreshQueued.set(false);
    pollQuietly();
    if (expectedCommit.isEmpty() || source.mirror().contains(expectedCommit)) return;
    if (attempt >= HINT_RETRIES) {
      log.warn("a push announced commit {}, but Git does not show it after {} fetches", expectedCommit, attempt + 1);
      return;
    }
    fetchWorker.schedule(() -> refreshExpecting(expectedCommit, attempt + 1), 100L << attempt, TimeUnit.MILLISECONDS);
  }

  private void pollQuietly() {
    try {
      refreshObserved();
    } catch (RuntimeException e) {
      log.warn("fetching the desired state failed: {}", e.getMessage());
    }
  }

  /** {@link DesiredStateSource#refresh()}, timed and told to observers (a new invalid revision too). */
  private boolean refreshObserved() {
    long start = System.nanoTime();
    InvalidRevision invalidBefore = source.invalid().orElse(null);
    AppliedRevision appliedBefore = source.applied().orElse(null);
    boolean applied;
    try {
      applied = source.refresh();
    } catch (RuntimeException e) {
      String error = source.lastFetchError().orElse(String.valueOf(e.getMessage()));
      notifyObservers(o -> o.fetchFailed(error));
      notifyObservers(o -> o.fetched(ReconcilerObserver.FetchOutcome.FAILED, Duration.ofNanos(System.nanoTime() - start)));
      throw e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    InvalidRevision invalidAfter = source.invalid().orElse(null);
    // The source keeps the same InvalidRevision object until a new commit is read: identity tells a new rejection.
    boolean rejected = invalidAfter != null && invalidAfter != invalidBefore;
    if (rejected) notifyObservers(o -> o.revisionRejected(invalidAfter));
    boolean changed = applied || rejected || source.applied().orElse(null) != appliedBefore;
    var outcome = changed ? ReconcilerObserver.FetchOutcome.CHANGED : ReconcilerObserver.FetchOutcome.UNCHANGED;
    notifyObservers(o -> o.fetched(outcome, took));
    return applied;
  }

  // --- agent events: mark dirty only -------------------------------------------------------

  @Override
  public void hostConnected(HostRecord host) {
    sent.remove(host.hostId()); // a new session has been sent nothing yet
    markDirty(host.hostId());
    notifyObservers(o -> o.hostConnected(host));
  }

  @Override
  public void reportReceived(String hostId, StatusReport report) {
    // Status is computed from reports on demand; an agent repairs drift on its own resync. A host
    // that was sent nothing yet in this session may have waited for this report (see reconcile).
    if (!sent.containsKey(hostId)) markDirty(hostId);
    notifyObservers(o -> o.reportReceived(hostId, report));
  }

  @Override
  public void hostDisconnected(String hostId) {
    sent.remove(hostId);
    notifyObservers(o -> o.hostDisconnected(hostId));
  }

  @Override
  public void hostLost(String hostId) {
    log.warn("host {} is lost (no heartbeat within the grace); its containers are left as they are", hostId);
    notifyObservers(o -> o.hostLost(hostId));
  }

  // --- the work queue ------------------------------------------------------------------------

  private void markAllDirty(String why) {
    List<String> ids = agents.hosts().stream().filter(HostRecord::connected).map(HostRecord::hostId).toList();
    log.debug("{}: {} host(s) to reconcile", why, ids.size());
    synchronized (dirty) {
      dirty.addAll(ids);
    }
    scheduleDrain();
  }

  private void markDirty(String hostId) {
    synchronized (dirty) {
      dirty.add(hostId);
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainQueued.compareAndSet(false, true)) reconcileWorker.execute(this::drain);
  }

  private void drain() {
    drainQueued.set(false);
    while (true) {
      String hostId;
      synchronized (dirty) {
        if (dirty.isEmpty()) return;
        var it = dirty.iterator();
        hostId = it.next();
        it.remove();
      }
      long start = System.nanoTime();
      boolean failed = false;
      try {
        reconcile(hostId);
      } catch (RuntimeException e) {
        failed = true;
        log.error("reconciling host {} failed; it is retried on the next resync", hostId, e);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      boolean failedStep = failed;
      notifyObservers(o -> o.reconciled(hostId, took, failedStep));
    }
  }

  /** Sends the host its assignment when the current session has not had this one yet. */
  void reconcile(String hostId) {
    AppliedRevision applied = source.applied().orElse(null);
    if (applied == null) return; // no valid desired state yet: say nothing rather than "remove all"
    HostRecord host = agents.host(hostId).orElse(null);
    if (host == null || !host.connected()) return; // lost or gone: its containers stay as they are
    if (rolloutsEvaluatedFor != applied) evaluateRollouts(applied);
    // A gated rollout must know what the host runs before it may tell it anything: a server that
    // just restarted mid-rollout must not give every reconnecting host the new version. A host is
    // reconciled again once an evaluation (at most a tick later) has decided it.
    if (rollouts.holds(hostId, host.labels())) return;
    List<ContainerSpec> specs = rollouts.adjust(hostId, planFor(applied).containersFor(hostId, host.labels()));
    Sent previous = sent.get(hostId);
    // Whole specs, not only hashes: the run state and the app's revision are not part of the hash.
    if (previous != null && previous.specs().equals(specs) && !lostInTransit(previous, host)) {
      return; // this session already has it
    }
    long gen = generation.incrementAndGet();
    Assignment assignment =
        Assignment.newBuilder()
            .setRevision(applied.revision())
            .setGeneration(gen)
            .addAllContainers(specs)
            .build();
    if (agents.send(hostId, assignment)) {
      sent.put(hostId, new Sent(gen, Instant.now(), specs));
      notifyObservers(o -> o.assignmentSent(hostId, gen));
      log.debug("sent {} container(s) at {} to {} (generation {})", specs.size(), applied.revision(), hostId, gen);
    }
  }

  private void evaluateRolloutsQuietly() {
    try {
      AppliedRevision applied = source.applied().orElse(null);
      if (applied != null) evaluateRollouts(applied);
    } catch (RuntimeException e) {
      log.error("evaluating rollouts failed; retried on the next tick", e);
    }
  }

  /** Advances every gated rollout and reconciles the hosts whose containers to send changed. */
  private void evaluateRollouts(AppliedRevision applied) {
    rolloutsEvaluatedFor = applied;
    for (String hostId : rollouts.evaluate(applied.state(), applied.revision(), planFor(applied), agents::hosts)) markDirty(hostId);
  }

  /**
   * The plan of the applied revision, built once and shared by every host and the read side: a new
   * revision marks all hosts dirty, and building each host's specs from scratch re-hashed every
   * container of every app once per host. Each plan is derived from the previous one, so only the
   * apps a commit changed are built again.
   */
  private synchronized FleetPlan planFor(AppliedRevision applied) {
    PlanOfRevision cached = plan;
    if (cached == null || cached.applied() != applied) {
      FleetPlan base = cached == null ? FleetPlan.EMPTY : cached.plan();
      cached = new PlanOfRevision(applied, base.next(applied.state(), applied::revisionOf));
      plan = cached;
    }
    return cached.plan();
  }

  private record PlanOfRevision(AppliedRevision applied, FleetPlan plan) {}

  /** An assignment the agent has not reported back within a resync interval is sent again. */
  private boolean lostInTransit(Sent previous, HostRecord host) {
    long reported = host.lastReport().map(StatusReport::getGeneration).orElse(0L);
    return reported < previous.generation()
        && Duration.between(previous.at(), Instant.now()).compareTo(resyncInterval) > 0;
  }

  // --- read side -----------------------------------------------------------------------------

  public AgentServer agents() {
    return agents;
  }

  public DesiredStateSource source() {
    return source;
  }

  public List<AppStatus> apps() {
    AppliedRevision applied = source.applied().orElse(null);
    if (applied == null) return List.of();
    return FleetStatus.compute(applied.state(), planFor(applied), hostViews()).stream()
        .map(this::withRollout)
        .toList();
  }

  private AppStatus withRollout(AppStatus status) {
    return rollouts.status(status.app()).map(status::withRollout).orElse(status);
  }

  public Optional<AppStatus> app(String name) {
    AppliedRevision applied = source.applied().orElse(null);
    if (applied == null) return Optional.empty();
    return applied
        .state()
        .app(name)
        .map(a -> FleetStatus.compute(
            new ogp.reconciler.desired.DesiredState(Map.of(name, a)), planFor(applied), hostViews()).get(0))
        .map(this::withRollout);
  }

  public List<HostStatus> hosts() {
    List<HostStatus> result = new ArrayList<>();
    for (HostRecord h : agents.hosts()) {
      StatusReport report = h.lastReport().orElse(null);
      List<HostStatus.HostContainer> containers = new ArrayList<>();
      if (report != null) {
        for (ContainerStatus c : report.getContainersList()) {
          containers.add(new HostStatus.HostContainer(c.getApp(), ContainerView.of(c)));
        }
      }
      result.add(
          new HostStatus(
              h.hostId(),
              h.liveness().name().toLowerCase(java.util.Locale.ROOT),
              h.labels(),
              h.lastHeartbeat(),
              h.agentVersion(),
              h.dockerVersion(),
              h.remoteAddress(),
              report == null ? null : report.getRevision(),
              containers,
              report == null || report.getLastError().isEmpty() ? null : report.getLastError()));
    }
    result.sort(java.util.Comparator.comparing(HostStatus::host));
    return result;
  }

  /** Null when ready to serve; otherwise why not (no valid revision applied yet). */
  public String notReadyReason() {
    if (source.applied().isPresent()) return null;
    return source.lastFetchError().map(e -> "cannot read the desired state: " + e)
        .orElse(source.invalid().isPresent() ? "the repository has no valid revision yet" : "the first fetch has not finished");
  }

  private List<HostView> hostViews() {
    List<HostView> views = new ArrayList<>();
    for (HostRecord h : agents.hosts()) {
      Sent s = sent.get(h.hostId());
      views.add(new HostView(h.hostId(), h.labels(), h.connected(), h.lastReport().orElse(null), s == null ? 0 : s.generation()));
    }
    return views;
  }

  @Override
  public void close() {
    fetchWorker.shutdownNow();
    reconcileWorker.shutdownNow();
    agents.close();
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
