package ogp.reconciler.autorollback;

import java.time.Clock;
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
 * <p>Git I/O runs on its own thread, never on the reconciler's.
 */
public final class AutoRollback implements ReconcilerObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AutoRollback.class);

  private final ChangeService changes;
  private final EventLog events;
  private final Clock clock;
  private final Set<String> attempted = ConcurrentHashMap.newKeySet();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ogp-auto-rollback");
            t.setDaemon(true);
            return t;
          });

  public AutoRollback(ChangeService changes, EventLog events, Clock clock) {
    this.changes = changes;
    this.events = events;
    this.clock = clock;
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

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
