package ogp.reconciler.watch;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.LoopGuard;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.FleetReadModel;
import ogp.reconciler.control.HeldRevision;
import ogp.reconciler.control.InvalidRevision;
import ogp.reconciler.control.ReconcilerObserver;
import ogp.reconciler.control.RevisionSummary;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.HostStatus;

/**
 * Keeps the watch's App, Host and Revision objects current. Any event that may change them
 * (revision applied or rejected, fetch, agent connect/report/loss, assignment sent) only requests a
 * recompute; one thread of its own recomputes the whole status from the reconciler's read side and
 * hands it to {@link WatchHub#sync}, which emits only what changed.
 *
 * <p>Policy: recomputes are coalesced and at least {@code minGap} apart (100 ms: at most 10 per
 * second however busy the fleet), and never run on a Netty event loop or a reconciler thread. On a
 * large fleet a recompute itself takes long (every host and app, serialized to compare), so the gap
 * after one is also at least twice its duration: the feed never takes more than a third of a core,
 * and changes still show within about three recompute times. A fetch that found nothing new changes
 * no watched object and recomputes nothing. Level-triggered: a recompute reads the latest state, so
 * coalescing loses nothing.
 */
public final class StatusFeed implements ReconcilerObserver, AutoCloseable {

  private final FleetReadModel fleet;
  private final WatchHub hub;
  private final long minGapNanos;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ogp-watch-status");
            t.setDaemon(true);
            return t;
          });

  /** The earliest start of the next recompute. */
  private volatile long nextRunNanos = System.nanoTime() - Long.MAX_VALUE / 2;

  public StatusFeed(FleetReadModel fleet, WatchHub hub, Duration minGap) {
    this.fleet = fleet;
    this.hub = hub;
    this.minGapNanos = minGap.toNanos();
  }

  /** Asks for a recompute; requests made while one is queued coalesce into it. */
  public void requestRecompute() {
    if (!queued.compareAndSet(false, true)) return;
    long wait = Math.max(0, nextRunNanos - System.nanoTime());
    try {
      worker.schedule(this::recompute, wait, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      queued.set(false);
    }
  }

  private void recompute() {
    queued.set(
        false); // a request from now on schedules another run, so nothing after this read is missed
    long start = System.nanoTime();
    nextRunNanos = start + minGapNanos;
    try {
      // Liveness timestamps are left out: a poll or a heartbeat that changes nothing else is no
      // change.
      hub.sync(
          WatchKind.Revision,
          Map.of("revision", RevisionSummary.of(fleet.source()).withoutFetchTime()));
      Map<String, HostStatus> hosts = new LinkedHashMap<>();
      fleet.hosts().forEach(h -> hosts.put(h.host(), h.withoutHeartbeatTime()));
      hub.sync(WatchKind.Host, hosts);
      Map<String, AppStatus> apps = new LinkedHashMap<>();
      fleet.apps().forEach(a -> apps.put(a.app(), a));
      hub.sync(WatchKind.App, apps);
    } catch (Throwable t) {
      LoopGuard.survived("recomputing the watched status (the next event retries)", t);
    }
    long took = System.nanoTime() - start;
    nextRunNanos = start + Math.max(minGapNanos, 3 * took);
  }

  @Override
  public void revisionApplied(AppliedRevision revision) {
    requestRecompute();
  }

  @Override
  public void revisionRejected(InvalidRevision revision) {
    requestRecompute();
  }

  @Override
  public void revisionHeld(HeldRevision revision) {
    requestRecompute(); // the Revision object shows the hold
  }

  @Override
  public void fetched(FetchOutcome outcome, Duration took) {
    if (outcome != FetchOutcome.UNCHANGED)
      requestRecompute(); // lastFetch is not part of the watched objects
  }

  @Override
  public void hostConnected(HostRecord host) {
    requestRecompute();
  }

  @Override
  public void reportReceived(String hostId, StatusReport report) {
    requestRecompute();
  }

  @Override
  public void hostLabelsChanged(HostRecord host) {
    requestRecompute();
  }

  @Override
  public void hostDisconnected(String hostId) {
    requestRecompute();
  }

  @Override
  public void hostLost(String hostId) {
    requestRecompute();
  }

  @Override
  public void hostForgotten(String hostId) {
    requestRecompute();
  }

  @Override
  public void assignmentSent(String hostId, long generation) {
    requestRecompute();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
