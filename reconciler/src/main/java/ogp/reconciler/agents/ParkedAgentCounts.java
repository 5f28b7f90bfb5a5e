package ogp.reconciler.agents;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the parking of {@link RedirectingAgentPort}s did: connections held now, and how those held
 * ended. One object may outlive many ports (a replica that stands by several times keeps one), so
 * its counts go on across them. Thread-safe.
 */
public final class ParkedAgentCounts {
  final AtomicLong parkedNow = new AtomicLong();
  final AtomicLong parked = new AtomicLong();
  final AtomicLong redirected = new AtomicLong();
  final AtomicLong timedOut = new AtomicLong();
  final AtomicLong closed = new AtomicLong();
  final AtomicLong overCap = new AtomicLong();

  /** Connections held now, waiting for the leader's agent port to answer. */
  public long parkedNow() {
    return parkedNow.get();
  }

  /** Connections parked since this object was made. */
  public long parked() {
    return parked.get();
  }

  /** Parked connections redirected once a probe saw the leader's agent port answer. */
  public long redirectedAfterWait() {
    return redirected.get();
  }

  /**
   * Parked connections answered at the bound (Redirect to the leader known then, or NOT_LEADER).
   */
  public long timedOut() {
    return timedOut.get();
  }

  /** Parked connections that closed unanswered: the agent gave up, or the port closed. */
  public long closed() {
    return closed.get();
  }

  /** Connections not parked because the cap was reached (answered NOT_LEADER at once). */
  public long refusedOverCap() {
    return overCap.get();
  }
}
