package ogp.bench.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulated fleet has seen, counted without locks from the event loops. */
public final class FleetCounters {
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicLong sessions = new AtomicLong();
  private final AtomicLong assignments = new AtomicLong();
  private final AtomicLong connectFailures = new AtomicLong();
  private final AtomicLong redirectsFollowed = new AtomicLong();
  private final AtomicLong redirectsIgnored = new AtomicLong();
  private final AtomicLong staleRefused = new AtomicLong();
  private final AtomicLong welcomeTimeouts = new AtomicLong();
  // Bounded: keyed by server address, of which a fleet has a handful.
  private final Map<String, Long> welcomeTimeoutsByServer = new ConcurrentHashMap<>();
  private final AtomicLong silentSessions = new AtomicLong();
  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  void welcomed(String hostId) {
    connected.incrementAndGet();
    sessions.incrementAndGet();
  }

  void disconnected(String hostId) {
    connected.decrementAndGet();
  }

  void assignment() {
    assignments.incrementAndGet();
  }

  void connectFailed() {
    connectFailures.incrementAndGet();
  }

  void redirectFollowed() {
    redirectsFollowed.incrementAndGet();
  }

  void redirectIgnored() {
    redirectsIgnored.incrementAndGet();
  }

  void welcomeTimedOut(String server) {
    welcomeTimeouts.incrementAndGet();
    welcomeTimeoutsByServer.merge(String.valueOf(server), 1L, Long::sum);
  }

  void silentSession() {
    silentSessions.incrementAndGet();
  }

  void refusedStale() {
    staleRefused.incrementAndGet();
  }

  void refused(String hostId, String why) {
    refusals.put(hostId, why);
  }

  /** Agents whose current session has been welcomed. */
  public int connected() {
    return connected.get();
  }

  /** Welcomed sessions since the start, reconnects included. */
  public long sessions() {
    return sessions.get();
  }

  public long assignments() {
    return assignments.get();
  }

  public long connectFailures() {
    return connectFailures.get();
  }

  /** Redirect frames followed to the named replica. */
  public long redirectsFollowed() {
    return redirectsFollowed.get();
  }

  /**
   * Redirect frames not followed: an address outside the server list or an epoch below the highest
   * seen.
   */
  public long redirectsIgnored() {
    return redirectsIgnored.get();
  }

  /** Welcomes and Assignments refused for an epoch below the highest the agent had seen. */
  public long staleRefused() {
    return staleRefused.get();
  }

  /** Connections closed by the agent because no Welcome, Redirect or close came in time. */
  public long welcomeTimeouts() {
    return welcomeTimeouts.get();
  }

  /** {@link #welcomeTimeouts()} by the server address the silent connection went to. */
  public Map<String, Long> welcomeTimeoutsByServer() {
    return Map.copyOf(welcomeTimeoutsByServer);
  }

  /** Welcomed sessions closed by the agent because the server went silent (no Ack). */
  public long silentSessions() {
    return silentSessions.get();
  }

  /** Host id → the last refusal it got (a wrong token, a protocol error). */
  public Map<String, String> refusals() {
    return Map.copyOf(refusals);
  }
}
