package ogp.cluster;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LoopGuard;

/**
 * Hand-offs to this package's own threads from gRPC callbacks. Every task runs guarded ({@link
 * LoopGuard}); a task handed over while the executor is shutting down (the replica is closing) is
 * dropped without noise, since nothing may be called after {@code close()}.
 */
final class Timers {
  private Timers() {}

  /** A single daemon thread for timers and memory-only state changes. */
  static ScheduledThreadPoolExecutor single(String name) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, name);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return executor;
  }

  static void submit(Executor executor, String what, Runnable task) {
    try {
      executor.execute(LoopGuard.guarded(what, task));
    } catch (RejectedExecutionException closing) {
      // the replica is closing: the task is moot
    }
  }

  static void schedule(ScheduledExecutorService timer, Duration delay, String what, Runnable task) {
    try {
      timer.schedule(LoopGuard.guarded(what, task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      // the replica is closing: the task is moot
    }
  }
}
