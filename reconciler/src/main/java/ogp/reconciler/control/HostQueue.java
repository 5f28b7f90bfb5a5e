package ogp.reconciler.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;

/**
 * The hosts to reconcile, like client-go's rate-limited work queue: keyed by host id, coalescing (a
 * host marked dirty ten times before the worker takes it is reconciled once), in the order the
 * hosts were first marked.
 *
 * <p>Failure policy: a host whose reconcile failed is retried after a per-host exponential backoff
 * — {@value #FIRST_RETRY_MS} ms, doubling per consecutive failure up to {@link #MAX_RETRY} — rather
 * than at the next resync; a success resets its backoff. An event for a host waiting on its backoff
 * (a new revision, its agent reconnecting) makes it ready at once: the event may be the fix.
 *
 * <p>Time comes from the injected clock; {@link #take} blocks the worker thread until a host is
 * ready or the given time passes. Thread-safe; no I/O under its lock. Bounded by the number of
 * hosts: each host is in it at most once.
 */
final class HostQueue {
  static final long FIRST_RETRY_MS = 100;
  static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final Clock clock;
  private final LinkedHashSet<String> ready = new LinkedHashSet<>(); // guarded by this
  private final Map<String, Instant> retryAt = new HashMap<>(); // guarded by this
  private final Map<String, Integer> failures = new HashMap<>(); // guarded by this

  HostQueue(Clock clock) {
    this.clock = clock;
  }

  /** Marks a host dirty: it is reconciled as soon as the worker gets to it. */
  synchronized void add(String hostId) {
    retryAt.remove(hostId);
    if (ready.add(hostId)) notifyAll();
  }

  /** Marks each host dirty, in order. */
  synchronized void addAll(Collection<String> hostIds) {
    boolean added = false;
    for (String hostId : hostIds) {
      retryAt.remove(hostId);
      added |= ready.add(hostId);
    }
    if (added) notifyAll();
  }

  /**
   * Schedules a host whose reconcile failed for a retry after its backoff, unless it is already
   * dirty again (then it is retried when the worker gets to it).
   *
   * @return the backoff chosen
   */
  synchronized Duration retryLater(String hostId) {
    int failed = failures.merge(hostId, 1, Integer::sum);
    Duration backoff = backoff(failed);
    if (!ready.contains(hostId)) {
      retryAt.put(hostId, clock.instant().plus(backoff));
      notifyAll(); // a waiting worker may need to wake earlier
    }
    return backoff;
  }

  /** A successful reconcile: the host's next failure starts from the first backoff again. */
  synchronized void succeeded(String hostId) {
    failures.remove(hostId);
  }

  /** Consecutive failures of the host's reconcile so far. */
  synchronized int failures(String hostId) {
    return failures.getOrDefault(hostId, 0);
  }

  /** The next ready host, without waiting; hosts whose backoff has passed become ready first. */
  synchronized Optional<String> poll() {
    promoteDue(clock.instant());
    Iterator<String> it = ready.iterator();
    if (!it.hasNext()) return Optional.empty();
    String hostId = it.next();
    it.remove();
    return Optional.of(hostId);
  }

  /**
   * The next ready host, waiting at most {@code maxWait} (and no longer than the earliest backoff)
   * for one; empty when none became ready in time.
   */
  synchronized Optional<String> take(Duration maxWait) throws InterruptedException {
    Instant until = clock.instant().plus(maxWait);
    while (true) {
      Optional<String> next = poll();
      if (next.isPresent()) return next;
      Instant now = clock.instant();
      Instant wakeAt =
          retryAt.values().stream().min(Instant::compareTo).filter(until::isAfter).orElse(until);
      long waitMs = Duration.between(now, wakeAt).toMillis();
      if (!now.isBefore(until)) return Optional.empty();
      wait(Math.max(1, waitMs));
    }
  }

  /** How many hosts are ready or waiting on a backoff. */
  synchronized int size() {
    return ready.size() + retryAt.size();
  }

  /** Wakes a worker blocked in {@link #take} (when closing). */
  synchronized void wakeUp() {
    notifyAll();
  }

  private void promoteDue(Instant now) {
    if (retryAt.isEmpty()) return;
    retryAt
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().isAfter(now)) return false;
              ready.add(e.getKey());
              return true;
            });
  }

  /** 100 ms, 200 ms, 400 ms … capped at five minutes. */
  static Duration backoff(int consecutiveFailures) {
    int doublings = Math.min(consecutiveFailures - 1, 30);
    long ms = FIRST_RETRY_MS << doublings;
    return ms >= MAX_RETRY.toMillis() || ms <= 0 ? MAX_RETRY : Duration.ofMillis(ms);
  }
}
