package ogp.agent.link;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import ogp.protocol.LoopGuard;
import ogp.protocol.v1.Assignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands assignments to the {@link AssignmentHandler} on its executor, keeping at most one waiting:
 * an assignment that arrives while the handler is busy replaces the waiting one, since each
 * assignment is complete and only the newest matters.
 */
final class LatestAssignment {
  private static final Logger log = LoggerFactory.getLogger(LatestAssignment.class);

  private final AssignmentHandler handler;
  private final Executor executor;
  private final AtomicReference<Assignment> pending = new AtomicReference<>();

  LatestAssignment(AssignmentHandler handler, Executor executor) {
    this.handler = handler;
    this.executor = executor;
  }

  void offer(Assignment assignment) {
    // Only the offer that finds the slot empty schedules a delivery; later ones replace.
    if (pending.getAndSet(assignment) == null) {
      try {
        executor.execute(this::deliver);
      } catch (RejectedExecutionException closed) {
        pending.set(null);
      }
    }
  }

  private void deliver() {
    Assignment next = pending.getAndSet(null);
    if (next == null) {
      return;
    }
    try {
      handler.onAssignment(next);
    } catch (RuntimeException e) {
      // The server re-sends or the agent re-converges periodically; keep the thread alive.
      log.error("assignment handler failed for revision {}", next.getRevision(), e);
    } catch (Throwable t) {
      LoopGuard.survived("the assignment handler (revision " + next.getRevision() + ")", t);
    }
  }
}
