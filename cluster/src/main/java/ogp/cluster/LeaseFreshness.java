package ogp.cluster;

import java.time.Duration;

/**
 * When a leader may act on its lease: only while the lease's last successful keep-alive is younger
 * than the TTL minus a margin.
 *
 * <p>A keep-alive is credited with the time its request was <em>sent</em>, not the time its answer
 * arrived: etcd renewed the lease after the request left, so the lease lives at least until send
 * time plus TTL. An answer read late (a GC pause, SIGSTOP, a slow gRPC thread) therefore never
 * makes an old renewal look new.
 *
 * <p>The margin is max(TTL/4, 1 s): it covers a command frame checked just before the window closes
 * but reaching the agent later (queued on the channel, on the wire) and the drift between our clock
 * and etcd's. A new leader can only be elected after the old lease expired, and etcd expires leases
 * late, never early, so a leader that stops {@code margin} before its TTL has passed never overlaps
 * with its successor. Keep-alives go out every TTL/5, so about three fall in the window ({@code TTL
 * − margin ≥ TTL/2}) and one lost answer does not fence a healthy leader.
 *
 * <p>The TTL used here is the one asked for in whole seconds (etcd's unit), rounded down: etcd may
 * grant more (its minimum TTL), never less.
 */
final class LeaseFreshness {
  static final Duration MIN_MARGIN = Duration.ofSeconds(1);

  private final Duration ttl;
  private final Duration margin;

  LeaseFreshness(Duration requestedTtl) {
    this.ttl = Duration.ofSeconds(requestedTtl.toSeconds());
    if (ttl.compareTo(Duration.ofSeconds(2)) < 0)
      throw new IllegalArgumentException("a lease TTL must be at least 2 s: " + requestedTtl);
    Duration quarter = ttl.dividedBy(4);
    this.margin = quarter.compareTo(MIN_MARGIN) > 0 ? quarter : MIN_MARGIN;
  }

  /** The lease's TTL in whole seconds, as granted at the least. */
  Duration ttl() {
    return ttl;
  }

  /** How long before the TTL a leader stops acting. */
  Duration margin() {
    return margin;
  }

  /** How long after a keep-alive was sent the leader may act on it: TTL − margin. */
  Duration window() {
    return ttl.minus(margin);
  }

  /** How often a keep-alive is sent: TTL/5. */
  Duration keepAliveInterval() {
    return ttl.dividedBy(5);
  }

  /**
   * Whether a keep-alive sent at {@code creditedNanos} still lets the leader act at {@code now}.
   */
  boolean fresh(long creditedNanos, long nowNanos) {
    return nowNanos - creditedNanos < window().toNanos();
  }
}
