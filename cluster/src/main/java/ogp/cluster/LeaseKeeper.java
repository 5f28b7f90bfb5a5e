package ogp.cluster;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import ogp.protocol.LoopGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's lease: granted on demand, kept alive in the background, and judged fresh or not by
 * {@link LeaseFreshness}.
 *
 * <p>Keep-alives are single requests ({@code Lease.keepAliveOnce}) sent every TTL/5 from the timer,
 * each with the call timeout, rather than jetcd's {@code keepAlive} stream: only a request whose
 * send time is known can be credited with it, and only that credit stays true when an answer is
 * read late (after a GC pause or SIGSTOP the stream would hand over an old answer as if it were
 * new). Answers are handled on gRPC threads and only touch atomics; losing the lease is handed to
 * the timer. An answer saying the lease is not found forgets the lease at once (so {@code
 * mayCommand} is false from that instant) and tells {@code onLost}; other errors are counted and
 * logged once per run of failures: the lease may well live on (one etcd member lost).
 */
final class LeaseKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final Lease leases;
  private final LeaseFreshness freshness;
  private final Duration callTimeout;
  private final ScheduledExecutorService timer;
  private final LongSupplier nanoTime;
  private final LongConsumer onLost;
  private final AtomicLong leaseId = new AtomicLong();
  private final AtomicLong credited;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicBoolean failing = new AtomicBoolean();
  private volatile boolean closed;
  private ScheduledFuture<?> ticks;

  /**
   * @param onLost told (on the timer) the id of a lease etcd says is gone
   */
  LeaseKeeper(
      Lease leases,
      LeaseFreshness freshness,
      Duration callTimeout,
      ScheduledExecutorService timer,
      LongSupplier nanoTime,
      LongConsumer onLost) {
    this.leases = leases;
    this.freshness = freshness;
    this.callTimeout = callTimeout;
    this.timer = timer;
    this.nanoTime = nanoTime;
    this.onLost = onLost;
    this.credited = new AtomicLong(nanoTime.getAsLong() - freshness.ttl().toNanos());
  }

  void start() {
    long interval = freshness.keepAliveInterval().toNanos();
    ticks =
        timer.scheduleAtFixedRate(
            LoopGuard.guarded("etcd lease keep-alive", this::keepAlive),
            interval,
            interval,
            TimeUnit.NANOSECONDS);
  }

  /** The current lease, granted now (blocking, with the call timeout) when there is none. */
  long ensure() {
    long id = leaseId.get();
    if (id != 0) return id;
    long sent = nanoTime.getAsLong();
    LeaseGrantResponse granted =
        EtcdCalls.await(
            leases.grant(freshness.ttl().toSeconds()), callTimeout, "grant the leader lease");
    credited.set(sent);
    leaseId.set(granted.getID());
    log.info(
        "Granted etcd lease {} (TTL {} s); acting only while its keep-alive is younger than {} ms",
        Long.toHexString(granted.getID()),
        granted.getTTL(),
        freshness.window().toMillis());
    return granted.getID();
  }

  /** The current lease's id; 0 while there is none. */
  long leaseId() {
    return leaseId.get();
  }

  /** Whether {@code id} is the current lease and its last keep-alive is recent enough to act on. */
  boolean fresh(long id) {
    return id != 0 && id == leaseId.get() && freshness.fresh(credited.get(), nanoTime.getAsLong());
  }

  /** Since the send time of the last successful keep-alive (or grant). */
  Duration age() {
    return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - credited.get()));
  }

  LeaseFreshness freshness() {
    return freshness;
  }

  /** Keep-alives that failed (timeouts, network errors, the lease not found). */
  long failures() {
    return failures.get();
  }

  /** Forgets the lease when another call learnt it is gone; true when it was the current one. */
  boolean forget(long id, String why) {
    if (id == 0 || !leaseId.compareAndSet(id, 0)) return false;
    log.warn("etcd lease {} is gone ({}); a new one will be granted", Long.toHexString(id), why);
    return true;
  }

  private void keepAlive() {
    long id = leaseId.get();
    if (id == 0 || closed) return;
    long sent = nanoTime.getAsLong();
    leases
        .keepAliveOnce(id)
        .orTimeout(callTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (answer, error) ->
                LoopGuard.run("etcd keep-alive answer", () -> answered(id, sent, error)));
  }

  private void answered(long id, long sent, Throwable error) {
    if (closed) return;
    if (error == null) {
      if (id == leaseId.get()) credited.accumulateAndGet(sent, Math::max);
      if (failing.compareAndSet(true, false))
        log.info("etcd lease {} is kept alive again", Long.toHexString(id));
      return;
    }
    failures.incrementAndGet();
    if (EtcdCalls.leaseNotFound(error)) {
      if (forget(id, "a keep-alive was answered: requested lease not found"))
        Timers.submit(timer, "etcd lease lost", () -> onLost.accept(id));
      return;
    }
    if (failing.compareAndSet(false, true))
      log.warn(
          "A keep-alive of etcd lease {} failed ({}); retrying every {} ms, the lease may live on",
          Long.toHexString(id),
          EtcdCalls.message(error),
          freshness.keepAliveInterval().toMillis());
    else log.debug("A keep-alive of etcd lease {} failed again", Long.toHexString(id), error);
  }

  /** Stops keeping the lease alive and revokes it (with the call timeout; its TTL ends it else). */
  @Override
  public void close() {
    closed = true;
    if (ticks != null) ticks.cancel(false);
    long id = leaseId.getAndSet(0);
    if (id == 0) return;
    try {
      EtcdCalls.await(leases.revoke(id), callTimeout, "revoke the lease");
    } catch (ClusterUnavailable e) {
      log.warn(
          "Could not revoke etcd lease {} ({}); it expires after its TTL",
          Long.toHexString(id),
          e.getMessage());
    }
  }
}
