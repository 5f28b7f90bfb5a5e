package ogp.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a long-running command block until the JVM is asked to stop (Ctrl-C, SIGTERM) and then close
 * its processes before the JVM exits. Open it before the processes in a try-with-resources, so it
 * is closed after them: the shutdown hook waits for that close, not for the main thread, because
 * the main thread ends in System.exit, which itself waits for the hooks.
 */
final class ShutdownSignal implements AutoCloseable {
  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  ShutdownSignal() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  requested.countDown();
                  try {
                    closed.await(15, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "ogp-shutdown"));
  }

  /** Blocks until the JVM is asked to stop. */
  void await() throws InterruptedException {
    requested.await();
  }

  @Override
  public void close() {
    closed.countDown();
  }
}
