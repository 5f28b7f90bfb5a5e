package ogp.reconciler.events;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.LogText;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.HeldRevision;
import ogp.reconciler.control.InvalidRevision;
import ogp.reconciler.control.ReconcilerObserver;

/**
 * Turns what the control loop observes into {@link Event}s: revisions applied, rejected and held,
 * the desired state becoming unreadable and readable again, hosts connecting, disconnecting and
 * lost, and container changes between consecutive reports of a host ({@link ReportChanges}). The
 * first report of a host after this server started is a baseline and yields no container events, so
 * a restarted server does not announce every running container.
 *
 * <p>Concurrency: the agent listener delivers one host's callbacks in order on one thread; the last
 * report per host lives in a concurrent map, so revision callbacks on the fetch worker may run at
 * the same time.
 */
public final class FleetEvents implements ReconcilerObserver {
  private final EventLog events;
  private final Clock clock;
  private final Map<String, StatusReport> lastReports = new ConcurrentHashMap<>();

  /**
   * Set from the first failed fetch until the next good one: one event per outage, not one per
   * poll.
   */
  private final AtomicBoolean fetchFailing = new AtomicBoolean();

  public FleetEvents(EventLog events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  @Override
  public void revisionApplied(AppliedRevision revision) {
    events.record(
        Event.of(
                clock,
                EventReason.REVISION_APPLIED,
                "applied: "
                    + revision.changedApps()
                    + " of "
                    + revision.state().apps().size()
                    + " app(s) added or changed: "
                    + revision.commit().subject())
            .withRevision(revision.revision())
            .withAuthor(author(revision.commit().authorName(), revision.commit().authorEmail())));
  }

  @Override
  public void revisionRejected(InvalidRevision revision) {
    events.record(
        Event.of(
                clock,
                EventReason.REVISION_REJECTED,
                "not applied, "
                    + revision.errors().size()
                    + " error(s): "
                    + revision.commit().subject())
            .withRevision(revision.commit().sha())
            .withAuthor(author(revision.commit().authorName(), revision.commit().authorEmail()))
            .withErrors(revision.errors().stream().map(Object::toString).toList()));
  }

  @Override
  public void revisionHeld(HeldRevision revision) {
    events.record(
        Event.of(
                clock,
                EventReason.REVISION_HELD,
                "held: "
                    + revision.check().reason()
                    + "; an admin must confirm it: "
                    + revision.commit().subject())
            .withRevision(revision.revision())
            .withAuthor(author(revision.commit().authorName(), revision.commit().authorEmail())));
  }

  @Override
  public void fetchFailed(String error) {
    if (fetchFailing.compareAndSet(false, true)) {
      events.record(
          Event.of(
              clock,
              EventReason.FETCH_FAILED,
              "cannot read the desired state, the applied revision stays: " + error));
    }
  }

  @Override
  public void fetched(FetchOutcome outcome, Duration took) {
    if (outcome != FetchOutcome.FAILED && fetchFailing.compareAndSet(true, false)) {
      events.record(
          Event.of(clock, EventReason.FETCH_RECOVERED, "the desired state can be read again"));
    }
  }

  @Override
  public void hostConnected(HostRecord host) {
    events.record(
        Event.of(
                clock,
                EventReason.HOST_CONNECTED,
                "agent " + host.agentVersion() + " connected from " + host.remoteAddress())
            .withHost(host.hostId()));
    if (!host.declaredLabels().equals(host.labels())) {
      events.record(
          Event.of(
                  clock,
                  EventReason.HOST_LABELS_IGNORED,
                  "the agent declares labels "
                      + LogText.quote(String.valueOf(new TreeMap<>(host.declaredLabels())))
                      + "; placement uses the bound "
                      + LogText.quote(String.valueOf(new TreeMap<>(host.labels())))
                      + " (ogp hosts label to change them)")
              .withHost(host.hostId()));
    }
  }

  @Override
  public void hostLabelsChanged(HostRecord host) {
    events.record(
        Event.of(
                clock,
                EventReason.HOST_LABELS_CHANGED,
                "labels set to " + LogText.quote(String.valueOf(new TreeMap<>(host.labels()))))
            .withHost(host.hostId()));
  }

  @Override
  public void hostDisconnected(String hostId) {
    events.record(
        Event.of(clock, EventReason.HOST_DISCONNECTED, "agent connection closed").withHost(hostId));
  }

  @Override
  public void hostLost(String hostId) {
    events.record(
        Event.of(
                clock,
                EventReason.HOST_LOST,
                "no heartbeat within the grace; containers left as they are")
            .withHost(hostId));
  }

  @Override
  public void hostForgotten(String hostId) {
    lastReports.remove(hostId);
    events.record(
        Event.of(
                clock,
                EventReason.HOST_FORGOTTEN,
                "lost for longer than --forget-lost-after; forgotten (unknown until it connects"
                    + " again)")
            .withHost(hostId));
  }

  @Override
  public void rolloutFailed(ogp.reconciler.rollout.RolloutFailure failure) {
    events.record(
        Event.of(
                clock,
                EventReason.ROLLOUT_FAILED,
                failure.app()
                    + ": "
                    + failure.reason()
                    + (failure.autoRollback()
                        ? "; rolling back automatically"
                        : "; no automatic rollback (update.autoRollback is false)"))
            .withApp(failure.app())
            .withRevision(failure.revision())
            .withHost(failure.hosts().size() == 1 ? failure.hosts().get(0) : null));
  }

  @Override
  public void assignmentRefused(String hostId, String revision, String reason) {
    events.record(
        Event.of(clock, EventReason.ASSIGNMENT_REFUSED, "the assignment was " + reason)
            .withHost(hostId)
            .withRevision(revision));
  }

  @Override
  public void reportReceived(String hostId, StatusReport report) {
    StatusReport previous = lastReports.put(hostId, report);
    if (previous == null) return; // baseline, see the class comment
    ReportChanges.between(hostId, previous, report, clock.instant()).forEach(events::record);
  }

  private static String author(String name, String email) {
    return email == null || email.isEmpty() ? name : name + " <" + email + ">";
  }
}
