package ogp.reconciler.agents;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps connections that have not been welcomed yet: at most {@code perAddress} from one source
 * address and {@code total} from everywhere. A connection over a cap is closed at once, before the
 * server reads a byte of it. Only unauthenticated connections count — a welcomed agent has shown
 * the join token and its identity, and 10,000 of them behind one NAT are a fleet, not an attack.
 *
 * <p>Loopback sources (127.0.0.0/8, ::1) are exempt from the per-address cap (the total still
 * applies): a local process already shares the machine and could do worse than open sockets, and
 * {@code ogp dev} and the benchmark's simulated fleet connect from loopback by the hundred.
 *
 * <p>Thread-safe, lock-free; called from Netty event loops. Refused connections are logged at most
 * once per {@value #WARN_EVERY_MILLIS} ms, with a count, so a flood does not flood the log.
 */
final class PendingHandshakes {
  /** Default cap of pending handshakes from one source address. */
  static final int DEFAULT_PER_ADDRESS = 64;

  /**
   * Default cap of pending handshakes in total: above the fleets OGP is built for, because after a
   * server restart every agent says Hello at once and a cap below the fleet would send the rest
   * into backoff. Each pending connection buffers at most one 8 KiB frame.
   */
  static final int DEFAULT_TOTAL = 32_768;

  private static final long WARN_EVERY_MILLIS = 10_000;
  private static final Logger log = LoggerFactory.getLogger(PendingHandshakes.class);

  private final int perAddress;
  private final int total;
  private final AtomicInteger pending = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
  private final AtomicLong refusedSinceWarning = new AtomicLong();
  private final AtomicLong lastWarningNanos =
      new AtomicLong(System.nanoTime() - WARN_EVERY_MILLIS * 1_000_000);

  PendingHandshakes(int perAddress, int total) {
    if (perAddress < 1 || total < 1) {
      throw new IllegalArgumentException(
          "handshake caps must be positive: " + perAddress + " per address, " + total + " total");
    }
    this.perAddress = perAddress;
    this.total = total;
  }

  /**
   * Admits a new connection from {@code remote}: the returned release (idempotent) must run when
   * the connection is welcomed or closes, whichever is first. Empty when a cap is reached.
   */
  Optional<Runnable> admit(SocketAddress remote) {
    InetAddress address =
        remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress()
            : null;
    if (pending.incrementAndGet() > total) {
      pending.decrementAndGet();
      refused(remote, "the server has " + total + " connections waiting for their Hello");
      return Optional.empty();
    }
    boolean perAddressCounted = address != null && !address.isLoopbackAddress();
    if (perAddressCounted && !admitFrom(address)) {
      pending.decrementAndGet();
      refused(remote, perAddress + " connections from this address are waiting for their Hello");
      return Optional.empty();
    }
    AtomicBoolean released = new AtomicBoolean();
    return Optional.of(
        () -> {
          if (released.compareAndSet(false, true)) release(perAddressCounted ? address : null);
        });
  }

  /**
   * Counts one more pending connection from {@code address} unless it has {@code perAddress}
   * already. Atomic per address (inside the map's compute), so a release that empties an entry can
   * never drop a count an admission just added.
   */
  private boolean admitFrom(InetAddress address) {
    boolean[] admitted = {false};
    byAddress.compute(
        address,
        (a, count) -> {
          int now = count == null ? 0 : count.get();
          if (now >= perAddress) return count;
          admitted[0] = true;
          if (count == null) return new AtomicInteger(1);
          count.incrementAndGet();
          return count;
        });
    return admitted[0];
  }

  /** Connections admitted and not yet released. */
  int pending() {
    return pending.get();
  }

  private void release(InetAddress addressOrNull) {
    pending.decrementAndGet();
    if (addressOrNull != null) {
      // Forget idle addresses so the map holds only sources with pending handshakes.
      byAddress.computeIfPresent(
          addressOrNull, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
  }

  private void refused(SocketAddress remote, String why) {
    long count = refusedSinceWarning.incrementAndGet();
    long last = lastWarningNanos.get();
    long now = System.nanoTime();
    if (now - last >= WARN_EVERY_MILLIS * 1_000_000 && lastWarningNanos.compareAndSet(last, now)) {
      refusedSinceWarning.addAndGet(-count);
      log.warn(
          "closed {} new agent connection(s) before reading them, the last from {}: {}",
          count,
          remote,
          why);
    }
  }
}
