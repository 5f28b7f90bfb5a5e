package ogp.reconciler.agents;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedirectingAgentPort} holds ("parks") agents while the leader's agent port does not
 * accept connections yet (see the port's policy).
 *
 * @param bound the longest a parked connection waits: then it is answered with a Redirect to the
 *     leader known then, or NOT_LEADER when none. Well under the agent's 10 s Welcome timeout
 *     (which also covers its connect and TLS handshake), so an agent is never timed out here.
 * @param cap the most connections parked at once; one more is answered NOT_LEADER at once
 * @param probeEvery how often the leader's agent address is probed while something is parked
 * @param probeTimeout the connect timeout of one probe
 * @param fresh how long a successful probe counts as "the leader answers": a first frame that
 *     arrives within it is redirected at once, without parking
 */
public record Parking(
    Duration bound, int cap, Duration probeEvery, Duration probeTimeout, Duration fresh) {
  /**
   * 6 s, 20,000 connections (the fleets OGP is built for, 10,000–20,000 agents, all at one
   * standby), a probe every 200 ms with a 500 ms connect timeout, fresh for 1 s.
   */
  public static final Parking DEFAULT =
      new Parking(
          Duration.ofSeconds(6),
          20_000,
          Duration.ofMillis(200),
          Duration.ofMillis(500),
          Duration.ofSeconds(1));

  public Parking {
    Objects.requireNonNull(bound, "bound");
    Objects.requireNonNull(probeEvery, "probeEvery");
    Objects.requireNonNull(probeTimeout, "probeTimeout");
    Objects.requireNonNull(fresh, "fresh");
    if (bound.isNegative() || bound.isZero())
      throw new IllegalArgumentException("the parking bound must be positive: " + bound);
    if (cap < 0) throw new IllegalArgumentException("the parking cap must not be negative: " + cap);
    if (probeEvery.toMillis() < 1 || probeTimeout.toMillis() < 1 || fresh.toMillis() < 1)
      throw new IllegalArgumentException(
          "probe interval, probe timeout and freshness must be at least 1 ms: "
              + probeEvery
              + ", "
              + probeTimeout
              + ", "
              + fresh);
  }

  /** The same with another bound (tests). */
  public Parking withBound(Duration newBound) {
    return new Parking(newBound, cap, probeEvery, probeTimeout, fresh);
  }

  /** The same with another cap (tests). */
  public Parking withCap(int newCap) {
    return new Parking(bound, newCap, probeEvery, probeTimeout, fresh);
  }
}
