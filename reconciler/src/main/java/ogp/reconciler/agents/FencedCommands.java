package ogp.reconciler.agents;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the command frames (assignments) the {@link CommandFence} kept from being written, and
 * logs them at most once per {@value #LOG_EVERY_MILLIS} ms with the count since the last line: a
 * deposed leader with thousands of hosts would otherwise write one line per host and change.
 *
 * <p>Thread-safe and lock-free: called on Netty event loops and the reconcile worker.
 */
final class FencedCommands {
  static final long LOG_EVERY_MILLIS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(FencedCommands.class);

  private final AtomicLong total = new AtomicLong();
  private final AtomicLong sinceLastLine = new AtomicLong();
  private final AtomicLong lastLineNanos =
      new AtomicLong(System.nanoTime() - LOG_EVERY_MILLIS * 1_000_000);

  /** One assignment for {@code hostId} was dropped because this server may not command now. */
  void dropped(String hostId) {
    total.incrementAndGet();
    long pending = sinceLastLine.incrementAndGet();
    long last = lastLineNanos.get();
    long now = System.nanoTime();
    if (now - last >= LOG_EVERY_MILLIS * 1_000_000 && lastLineNanos.compareAndSet(last, now)) {
      sinceLastLine.addAndGet(-pending);
      log.warn(
          "dropped {} assignment(s), the last for host id '{}': this server may not command agents"
              + " now (not the leader, or its lease is not fresh); {} since start",
          pending,
          hostId,
          total.get());
    }
  }

  /** Assignments dropped since the server started. */
  long total() {
    return total.get();
  }
}
