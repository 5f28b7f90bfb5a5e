package ogp.reconciler.control;

import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentListener;
import ogp.reconciler.agents.HostRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What agents tell the control loop, turned into work: an event only marks a host dirty (and a new
 * or ended session forgets what its host was sent), then tells the observers. Built before the
 * agent server, from parts that are complete, so no callback can reach a half-built loop; the
 * worker picks the hosts up once it runs.
 */
final class AgentEvents implements AgentListener {
  private static final Logger log = LoggerFactory.getLogger(AgentEvents.class);

  private final HostQueue queue;
  private final SentAssignments sent;
  private final ReconcilerObservers observers;

  AgentEvents(HostQueue queue, SentAssignments sent, ReconcilerObservers observers) {
    this.queue = queue;
    this.sent = sent;
    this.observers = observers;
  }

  @Override
  public void hostConnected(HostRecord host) {
    sent.forget(host.hostId()); // a new session has been sent nothing yet
    queue.add(host.hostId());
    observers.tell(o -> o.hostConnected(host));
  }

  @Override
  public void reportReceived(String hostId, StatusReport report) {
    // Status is computed from reports on demand; an agent repairs drift on its own resync. A host
    // that was sent nothing yet in this session may have waited for this report (see Reconciler).
    if (!sent.hasSent(hostId)) queue.add(hostId);
    observers.tell(o -> o.reportReceived(hostId, report));
  }

  @Override
  public void hostDisconnected(String hostId) {
    sent.forget(hostId);
    observers.tell(o -> o.hostDisconnected(hostId));
  }

  @Override
  public void labelsChanged(HostRecord host) {
    queue.add(host.hostId()); // placement by selector may now pick or drop this host
    observers.tell(o -> o.hostLabelsChanged(host));
  }

  @Override
  public void hostLost(String hostId) {
    log.warn(
        "host {} is lost (no heartbeat within the grace); its containers are left as they are",
        hostId);
    observers.tell(o -> o.hostLost(hostId));
  }
}
