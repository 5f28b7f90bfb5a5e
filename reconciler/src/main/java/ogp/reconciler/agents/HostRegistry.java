package ogp.reconciler.agents;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostRecord.Liveness;

/**
 * Every host ever seen by this server process, and its live session if any. The newest session of a
 * host id wins; events of an older, superseded session (its messages, its close) are ignored, so a
 * takeover never looks like a disconnect. A host whose last message is older than the lost grace
 * becomes {@link Liveness#LOST} exactly once, until it speaks again.
 *
 * <p>State changes are made under {@code lock}, held only for map updates and for enqueueing
 * listener events (which fixes their order); never during channel I/O or listener calls. Callers do
 * the I/O (refusing a superseded session, writing) after the method returned. The one exception is
 * the heartbeat path ({@link #seen}): it only stamps the time, without the lock, so an event loop
 * never waits while another thread copies the records of thousands of hosts; it takes the lock only
 * to bring a lost host back.
 */
final class HostRegistry {
  private final Object lock = new Object();

  /** Written under lock; read without it by {@link #seen}. */
  private final Map<String, Host> hosts = new ConcurrentHashMap<>();

  private final ListenerQueue events;
  private final long lostGraceMillis;

  /**
   * Liveness messages (heartbeats) of live sessions, for the meter; a LongAdder so counting costs
   * no contention.
   */
  private final java.util.concurrent.atomic.LongAdder heartbeats =
      new java.util.concurrent.atomic.LongAdder();

  HostRegistry(ListenerQueue events, long lostGraceMillis) {
    this.events = events;
    this.lostGraceMillis = lostGraceMillis;
  }

  /** Makes {@code session} the live one of its host; returns the session it superseded. */
  Optional<Session> connected(Session session, long nowMillis) {
    synchronized (lock) {
      Host host = hosts.computeIfAbsent(session.hostId(), id -> new Host());
      Session older = host.live;
      host.live = session;
      host.hello = session.hello();
      host.labels = session.boundLabels();
      host.remoteAddress = session.remoteAddress();
      host.lastSeenMillis = nowMillis;
      host.liveness = Liveness.CONNECTED;
      host.pendingReport = null; // reports of the new session start a new queue entry
      HostRecord record = host.record(session.hostId());
      events.enqueue(listener -> listener.hostConnected(record));
      return Optional.ofNullable(older);
    }
  }

  /** Any message of a live session proves the host alive; a lost host is connected again. */
  void seen(Session session, long nowMillis) {
    heartbeats.increment();
    Host host = liveHost(session);
    if (host == null) return;
    host.lastSeenMillis = nowMillis;
    // A heartbeat racing checkLiveness may miss the LOST it is setting; the next one brings the
    // host back.
    if (host.liveness == Liveness.LOST) {
      synchronized (lock) {
        if (liveHost(session) == host) touch(session.hostId(), host, nowMillis);
      }
    }
  }

  void reported(Session session, StatusReport report, long nowMillis) {
    synchronized (lock) {
      Host host = liveHost(session);
      if (host == null) {
        return;
      }
      touch(session.hostId(), host, nowMillis);
      host.lastReport = report;
      // Level-triggered: if a report of this session still waits for the listener, the newer one
      // simply replaces it instead of queueing behind it.
      if (host.pendingReport != null && host.pendingReport.replace(report)) {
        return;
      }
      PendingReport pending = new PendingReport(report);
      host.pendingReport = pending;
      String hostId = session.hostId();
      events.enqueue(listener -> listener.reportReceived(hostId, pending.take()));
    }
  }

  /** The channel of {@code session} closed; only the live session's close disconnects the host. */
  void closed(Session session) {
    synchronized (lock) {
      Host host = liveHost(session);
      if (host == null) {
        return; // superseded: the newer session owns the host
      }
      host.live = null;
      host.pendingReport = null;
      if (host.liveness == Liveness.CONNECTED) {
        host.liveness = Liveness.DISCONNECTED;
      }
      String hostId = session.hostId();
      events.enqueue(listener -> listener.hostDisconnected(hostId));
    }
  }

  /**
   * An operator changed the bound labels of a host: the record shows them from now on and the
   * listener hears {@code labelsChanged}. No-op for a host never seen by this process.
   */
  void relabeled(String hostId, Map<String, String> labels) {
    synchronized (lock) {
      Host host = hosts.get(hostId);
      if (host == null) {
        return;
      }
      host.labels = Map.copyOf(labels);
      HostRecord record = host.record(hostId);
      events.enqueue(listener -> listener.labelsChanged(record));
    }
  }

  /** Marks every host silent for the lost grace as lost; called periodically. */
  void checkLiveness(long nowMillis) {
    synchronized (lock) {
      hosts.forEach(
          (hostId, host) -> {
            if (host.liveness != Liveness.LOST
                && nowMillis - host.lastSeenMillis >= lostGraceMillis) {
              host.liveness = Liveness.LOST;
              host.pendingReport = null;
              events.enqueue(listener -> listener.hostLost(hostId));
            }
          });
    }
  }

  long heartbeats() {
    return heartbeats.sum();
  }

  Optional<Session> live(String hostId) {
    synchronized (lock) {
      Host host = hosts.get(hostId);
      return host == null ? Optional.empty() : Optional.ofNullable(host.live);
    }
  }

  List<Session> liveSessions() {
    synchronized (lock) {
      List<Session> live = new ArrayList<>();
      hosts.values().forEach(host -> Optional.ofNullable(host.live).ifPresent(live::add));
      return live;
    }
  }

  Collection<HostRecord> hosts() {
    synchronized (lock) {
      List<HostRecord> records = new ArrayList<>(hosts.size());
      hosts.forEach((hostId, host) -> records.add(host.record(hostId)));
      return records;
    }
  }

  Optional<HostRecord> host(String hostId) {
    synchronized (lock) {
      Host host = hosts.get(hostId);
      return host == null ? Optional.empty() : Optional.of(host.record(hostId));
    }
  }

  private Host liveHost(Session session) {
    Host host = hosts.get(session.hostId());
    return host != null && host.live == session ? host : null;
  }

  private void touch(String hostId, Host host, long nowMillis) {
    host.lastSeenMillis = nowMillis;
    if (host.liveness == Liveness.LOST) {
      host.liveness = Liveness.CONNECTED;
      HostRecord record = host.record(hostId);
      events.enqueue(listener -> listener.hostConnected(record));
    }
  }

  /**
   * Mutable state of one host; changed under the registry lock, but for {@link #seen}'s time stamp.
   */
  private static final class Host {
    Hello hello;
    Map<String, String> labels;
    String remoteAddress;
    volatile Session live;
    volatile Liveness liveness;
    volatile long lastSeenMillis;
    StatusReport lastReport;
    PendingReport pendingReport;

    HostRecord record(String hostId) {
      return new HostRecord(
          hostId,
          labels,
          hello.getAgentVersion(),
          lastReport != null && !lastReport.getDockerVersion().isEmpty()
              ? lastReport.getDockerVersion()
              : hello.getDockerVersion(),
          remoteAddress,
          liveness,
          Instant.ofEpochMilli(lastSeenMillis),
          Optional.ofNullable(lastReport),
          hello.getLabelsMap());
    }
  }

  /** A report waiting for the listener; replaceable until the listener takes it. */
  private static final class PendingReport {
    private StatusReport report; // guarded by this
    private boolean taken; // guarded by this

    PendingReport(StatusReport report) {
      this.report = report;
    }

    synchronized boolean replace(StatusReport newer) {
      if (taken) {
        return false;
      }
      report = newer;
      return true;
    }

    synchronized StatusReport take() {
      taken = true;
      return report;
    }
  }
}
