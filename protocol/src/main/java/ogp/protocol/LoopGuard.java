package ogp.protocol;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a background loop alive: a periodic task of a {@code ScheduledExecutorService} that throws
 * is never run again, and a thread's loop that lets an {@link Error} through ends for the life of
 * the process. Policy: every background loop of the server and the agent runs its body through
 * {@link #run} (or {@link #guarded}); any throwable is logged with the loop's name, counted, and
 * the loop goes on with its next turn.
 *
 * <p>The count is per process ({@link #failures()}): the server adds it to {@code
 * ogp_loop_failures_total}, the agent logs it. Thread interruption is kept: an interrupt caught
 * here is restored on the thread, so an executor being shut down still stops.
 */
public final class LoopGuard {
  private static final Logger log = LoggerFactory.getLogger(LoopGuard.class);
  private static final AtomicLong failures = new AtomicLong();

  private LoopGuard() {}

  /** Runs one turn of the loop named {@code loop}; a throwable is logged and counted. */
  public static void run(String loop, Runnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      survived(loop, t);
    }
  }

  /** {@code body} wrapped by {@link #run}, for {@code schedule…} and {@code execute}. */
  public static Runnable guarded(String loop, Runnable body) {
    return () -> run(loop, body);
  }

  /** Logs and counts a throwable a loop caught itself and survives. */
  public static void survived(String loop, Throwable t) {
    failures.incrementAndGet();
    if (t instanceof InterruptedException) Thread.currentThread().interrupt();
    log.error("{} failed; it goes on", loop, t);
  }

  /** Throwables survived by guarded loops of this process since it started. */
  public static long failures() {
    return failures.get();
  }
}
