package ogp.reconciler.api;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many {@code /api/v1/watch} streams are open, per API token and in all, and whether one more
 * may open. A stream takes a slot before it starts and gives it back when it ends for any reason
 * (the client went away, it was cut off, the server stops), exactly once.
 *
 * <p>Policy: at most {@code perToken} streams per token name and {@code total} in all; over either,
 * the watch is refused (429) with a sentence saying which limit and what to do. The limits are
 * {@link ogp.reconciler.watch.WatchSettings} values rather than server flags: legitimate clients (a
 * CLI, a dashboard, the portal — whose own watch is not counted) hold one stream each, so the
 * defaults leave room, and what they bound is the memory and file descriptors one token can take.
 *
 * <p>Thread-safe: one lock around two counters, never held during I/O.
 */
final class WatcherSlots {
  private final int perToken;
  private final int total;
  private final Map<String, Integer> byToken = new HashMap<>(); // guarded by this
  private int open; // guarded by this

  WatcherSlots(int perToken, int total) {
    this.perToken = perToken;
    this.total = total;
  }

  /** One open stream's slot; {@link #release()} may be called any number of times. */
  final class Slot {
    private final String token;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(String token) {
      this.token = token;
    }

    void release() {
      if (!released.compareAndSet(false, true)) return;
      synchronized (WatcherSlots.this) {
        open--;
        byToken.computeIfPresent(token, (t, n) -> n == 1 ? null : n - 1);
      }
    }
  }

  /** A slot for a new stream of {@code token}, or why there is none. */
  synchronized Result acquire(String token) {
    int mine = byToken.getOrDefault(token, 0);
    if (mine >= perToken) {
      return new Result(
          Optional.empty(),
          "the token '"
              + token
              + "' already has "
              + mine
              + " watch streams open, the most one token may hold; close one (a stream ends when"
              + " its client disconnects) or use another token");
    }
    if (open >= total) {
      return new Result(
          Optional.empty(),
          "the server already has "
              + open
              + " watch streams open, the most it serves; try again later");
    }
    byToken.put(token, mine + 1);
    open++;
    return new Result(Optional.of(new Slot(token)), null);
  }

  synchronized int open() {
    return open;
  }

  /** A slot, or the refusal's sentence. */
  record Result(Optional<Slot> slot, String refusal) {}
}
