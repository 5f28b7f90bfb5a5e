package ogp.reconciler.autorollback;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import ogp.protocol.LoopGuard;
import ogp.reconciler.changes.ChangeRefused;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.control.ReconcilerObserver;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventLog;
import ogp.reconciler.events.EventReason;
import ogp.reconciler.rollout.RolloutFailure;
import ogp.reconciler.source.GitSourceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code update.autoRollback}: when an app's rollout fails, commits the revert of the commit that
 * set the failing version (actor {@code ogp}, the reason in the message body) and records a {@code
 * RollbackCommitted} event that says why, or {@code RollbackFailed} when it cannot (e.g. a later
 * commit conflicts). At most once per app and failed revision in a server run; a restarted server
 * that sees the same failure again after a full deadline tries once more, and a revert of an
 * automatic revert is never committed (see {@link ChangeService#rollbackFailedRevision}).
 *
 * <p>Before it commits, the revert is claimed through {@link RevertClaims}: across replicas only
 * the leader whose claim is granted commits, so a failover never commits the same revert twice. A
 * refused claim commits nothing and records no event (the server that holds the claim recorded its
 * own); a claim that cannot be answered (the shared store is down) commits nothing and records
 * {@code RollbackFailed}.
 *
 * <p>Git I/O and claims run on its own thread, never on the reconciler's.
 */
public final class AutoRollback implements ReconcilerObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AutoRollback.class);

  private final ChangeService changes;
  private final EventLog events;
  private final Clock clock;
  private final RevertClaims claims;
  // This server's own once-per-run filter, so a repeated failure does not ask the claims again.
  private final Set<String> attempted = ConcurrentHashMap.newKeySet();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ogp-auto-rollback");
            t.setDaemon(true);
            return t;
          });

  /**
   * A single server's automatic rollback: claims kept in memory ({@link RevertClaims#inMemory}).
   */
  public AutoRollback(ChangeService changes, EventLog events, Clock clock) {
    this(changes, events, clock, RevertClaims.inMemory());
  }

  /** An automatic rollback that commits a revert only when {@code claims} grants it. */
  public AutoRollback(ChangeService changes, EventLog events, Clock clock, RevertClaims claims) {
    this.changes = Objects.requireNonNull(changes, "changes");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.claims = Objects.requireNonNull(claims, "claims");
  }

  @Override
  public void rolloutFailed(RolloutFailure failure) {
    if (!failure.autoRollback()) return;
    if (!attempted.add(failure.app() + "@" + failure.revision())) return;
    worker.execute(() -> rollBack(failure));
  }

  private void rollBack(RolloutFailure failure) {
    String why = "Automatic rollback: " + failure.app() + " " + failure.reason() + ".";
    try {
      if (!claimed(failure)) return;
      ChangeResult result = changes.rollbackFailedRevision(failure.app(), failure.revision(), why);
      Optional<String> sha = result.commit();
      if (sha.isEmpty()) {
        events.record(
            Event.of(
                    clock,
                    EventReason.ROLLBACK_FAILED,
                    "automatic rollback not committed: " + result.message())
                .withApp(failure.app())
                .withRevision(failure.revision()));
        return;
      }
      log.warn(
          "rolled {} back automatically: {} ({})",
          failure.app(),
          result.subject(),
          failure.reason());
      events.record(
          Event.of(
                  clock,
                  EventReason.ROLLBACK_COMMITTED,
                  "automatic rollback, " + result.subject() + ": " + failure.reason())
              .withApp(failure.app())
              .withRevision(sha.orElse(null))
              .withAuthor("ogp"));
    } catch (ChangeRefused | GitSourceException e) {
      log.warn("automatic rollback of {} failed: {}", failure.app(), e.getMessage());
      events.record(
          Event.of(
                  clock,
                  EventReason.ROLLBACK_FAILED,
                  "automatic rollback not committed: " + e.getMessage())
              .withApp(failure.app())
              .withRevision(failure.revision()));
    } catch (Throwable e) {
      LoopGuard.survived("the automatic rollback of " + failure.app(), e);
      events.record(
          Event.of(clock, EventReason.ROLLBACK_FAILED, "automatic rollback not committed: " + e)
              .withApp(failure.app())
              .withRevision(failure.revision()));
    }
  }

  /** Whether this server may commit the revert; a claim that cannot be answered is a no. */
  private boolean claimed(RolloutFailure failure) {
    try {
      if (claims.claim(failure.app(), failure.revision())) return true;
      log.info(
          "automatic rollback of {} at {} not committed: it was claimed before (by an earlier"
              + " leader) or this server no longer leads",
          failure.app(),
          failure.revision());
      return false;
    } catch (RuntimeException e) {
      log.warn(
          "automatic rollback of {} at {} not committed: cannot claim it: {}",
          failure.app(),
          failure.revision(),
          e.toString());
      events.record(
          Event.of(
                  clock,
                  EventReason.ROLLBACK_FAILED,
                  "automatic rollback not committed: cannot claim it: " + e.getMessage())
              .withApp(failure.app())
              .withRevision(failure.revision()));
      return false;
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
