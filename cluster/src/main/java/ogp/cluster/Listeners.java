package ogp.cluster;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import ogp.protocol.LoopGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leadership's listeners and the one thread that calls them ({@code ogp-etcd-listeners}, never
 * a gRPC thread): one notification at a time, in the order they were told, a listener that throws
 * logged and counted ({@link LoopGuard}) without stopping the others. At most {@value #QUEUE}
 * notifications wait; beyond, one is dropped and logged (a listener that blocks for that long is a
 * bug). After {@link #close()} nothing is called.
 */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);
  static final int QUEUE = 1024;

  private final List<Leadership.Listener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor thread =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(QUEUE),
          runnable -> {
            Thread thread = new Thread(runnable, "ogp-etcd-listeners");
            thread.setDaemon(true);
            return thread;
          },
          (task, executor) -> {
            if (!executor.isShutdown())
              log.error("Leadership listeners are {} changes behind; one was dropped", QUEUE);
          });

  /** Adds a listener and tells it {@code initial} first (before any later notification). */
  void add(Leadership.Listener listener, Consumer<Leadership.Listener> initial) {
    listeners.add(listener);
    Timers.submit(thread, "etcd leadership listener", () -> initial.accept(listener));
  }

  /** Tells every listener, later, on the listeners' thread. */
  void tell(Consumer<Leadership.Listener> notification) {
    Timers.submit(
        thread,
        "etcd leadership listeners",
        () -> {
          for (Leadership.Listener listener : listeners)
            LoopGuard.run("etcd leadership listener", () -> notification.accept(listener));
        });
  }

  /** Delivers what was told already (for at most two seconds), then calls nothing more. */
  void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(2, TimeUnit.SECONDS)) thread.shutdownNow();
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
