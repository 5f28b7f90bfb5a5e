package ogp.reconciler.api;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.LoopGuard;
import ogp.reconciler.watch.Watch;

/**
 * Writes one {@link Watch} to its HTTP response with servlet non-blocking I/O, so a watcher holds
 * no thread: lines are written while the connection can take them, and when it cannot, Jetty calls
 * back ({@link #onWritePossible()}) once it can. {@link #done()} completes when the stream ended
 * (server shutdown, cut-off) or the client went away; the async request then completes.
 *
 * <p>Concurrency rule: the write loop runs under {@code writeLock}, entered from a Jetty callback
 * or from a task on the shared writer executor after the hub queued lines ({@link #wake()}); the
 * lock is never held while blocking, because non-blocking writes return at once. Lock order:
 * writeLock, then the watch's own lock; the hub's lock is never taken inside it except by {@link
 * Watch#close()}, which takes no writer lock.
 */
final class WatchResponse implements WriteListener {
  private final ServletOutputStream out;
  private final Executor writers;
  private final Runnable abortConnection;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  private final Object writeLock = new Object();
  private volatile Watch watch;
  private boolean unflushed; // guarded by writeLock

  /**
   * @param abortConnection closes the connection at once; for a cut-off client that stopped
   *     reading, so its socket does not linger until the idle timeout
   */
  WatchResponse(ServletOutputStream out, Executor writers, Runnable abortConnection) {
    this.out = out;
    this.writers = writers;
    this.abortConnection = abortConnection;
  }

  /** Binds the watch and starts writing (Jetty calls {@link #onWritePossible()} first). */
  CompletableFuture<Void> start(Watch watch) {
    this.watch = watch;
    out.setWriteListener(this);
    return done;
  }

  /** The hub queued lines: write them on a writer thread, never on the publisher's. */
  void wake() {
    if (watch == null || done.isDone()) return;
    if (wakeQueued.compareAndSet(false, true)) {
      writers.execute(
          LoopGuard.guarded(
              "a watch writer",
              () -> {
                wakeQueued.set(false);
                onWritePossible();
              }));
    }
  }

  @Override
  public void onWritePossible() {
    synchronized (writeLock) {
      if (done.isDone()) return;
      try {
        while (out.isReady()) {
          byte[] line = watch.poll();
          if (line != null) {
            out.write(line);
            unflushed = true;
          } else if (unflushed) {
            unflushed = false;
            out.flush(); // completes asynchronously; isReady() tells when
          } else {
            if (watch.finished()) done.complete(null);
            return;
          }
        }
        // Not ready: Jetty calls onWritePossible() when it is. A cut-off watcher that stopped
        // reading never will.
        if (watch.isCutOff()) abort();
      } catch (IOException e) {
        onError(e);
      }
    }
  }

  @Override
  public void onError(Throwable failure) {
    Watch w = watch;
    if (w != null) w.close();
    done.complete(null);
  }

  private void abort() {
    watch.close();
    abortConnection.run();
    done.complete(null);
  }
}
