package ogp.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduled executor whose time moves only when the test says so: nothing runs until the test
 * calls {@link #runDue()} or {@link #advance}, and then on the test's own thread, one task at a
 * time, in due order (submission order among equals). Like a single-threaded worker, so the code
 * under test sees the same ordering, with no waiting in the test. {@link #clock()} reads the same
 * virtual time. Not thread-safe: one test thread drives it.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          Comparator.comparing((Task t) -> t.due).thenComparingLong((Task t) -> t.sequence));
  private Instant now;
  private long sequence;
  private boolean shutdown;

  ManualScheduler(Instant start) {
    this.now = start;
  }

  /** Runs every task due now, including those the tasks themselves submit for now. */
  int runDue() {
    int ran = 0;
    while (!queue.isEmpty() && !queue.peek().due.isAfter(now)) {
      queue.poll().runOnce();
      ran++;
    }
    return ran;
  }

  /** Moves time forward by {@code by}, running each task when its time comes. */
  void advance(Duration by) {
    Instant until = now.plus(by);
    while (!queue.isEmpty() && !queue.peek().due.isAfter(until)) {
      Task next = queue.poll();
      now = next.due.isAfter(now) ? next.due : now;
      next.runOnce();
    }
    now = until;
  }

  /** How many tasks wait, periodic ones included. */
  int queued() {
    return queue.size();
  }

  /** A clock that reads this scheduler's time. */
  Clock clock() {
    return new Clock() {
      @Override
      public Instant instant() {
        return now;
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
      }
    };
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.MILLISECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task(Executors.callable(command), after(delay, unit), null, false));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task(callable, after(delay, unit), null, false));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(
        new Task(
            Executors.callable(command), after(initialDelay, unit), duration(period, unit), true));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return enqueue(
        new Task(
            Executors.callable(command), after(initialDelay, unit), duration(delay, unit), false));
  }

  @Override
  public void shutdown() {
    shutdown = true;
    queue.clear();
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> waiting = new ArrayList<>(queue);
    shutdown();
    return waiting;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }

  @SuppressWarnings("unchecked")
  private <V> ScheduledFuture<V> enqueue(Task task) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    queue.add(task);
    return (ScheduledFuture<V>) task;
  }

  private Instant after(long delay, TimeUnit unit) {
    return now.plus(duration(delay, unit));
  }

  private static Duration duration(long amount, TimeUnit unit) {
    return Duration.ofNanos(unit.toNanos(amount));
  }

  /** One submission; a periodic one goes back into the queue after each run that did not throw. */
  private final class Task extends FutureTask<Object> implements ScheduledFuture<Object> {
    private final long sequence = ManualScheduler.this.sequence++;
    private final Duration period; // null: runs once
    private final boolean fixedRate;
    private Instant due;

    @SuppressWarnings("unchecked")
    Task(Callable<?> callable, Instant due, Duration period, boolean fixedRate) {
      super((Callable<Object>) callable);
      this.due = due;
      this.period = period;
      this.fixedRate = fixedRate;
    }

    void runOnce() {
      if (period == null) {
        run();
      } else if (runAndReset() && !shutdown) {
        due = fixedRate ? due.plus(period) : now.plus(period);
        queue.add(this);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(now, due));
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
