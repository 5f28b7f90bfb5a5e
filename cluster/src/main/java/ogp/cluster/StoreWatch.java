package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of {@link EtcdFencedStore}: every put and delete under a key prefix after the revision
 * it started at, in order, each once, on the store's dispatch thread.
 *
 * <p>jetcd resumes a watch by itself after a network error; an error it passes on ends that watch.
 * Then (and when the dispatch queue is full) this handle watches again from the revision after the
 * last one it delivered, so nothing is lost or repeated; if etcd compacted that revision away, it
 * goes on from the oldest one left and logs that changes may have been missed. Closing the handle
 * ends it: no callback runs after {@link #close()} returns, except one already running.
 */
final class StoreWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreWatch.class);

  private final Watch watch;
  private final ByteSequence keyPrefix;
  private final int relativeFrom;
  private final Executor dispatch;
  private final ScheduledExecutorService timer;
  private final Duration rewatchDelay;
  private final BiConsumer<String, Optional<byte[]>> onChange;
  private volatile boolean closed;

  /** The revision of the last change delivered; written and read on the dispatch thread only. */
  private long delivered;

  private Watch.Watcher watcher; // guarded by this
  private long generation; // guarded by this

  StoreWatch(
      Watch watch,
      ByteSequence keyPrefix,
      int relativeFrom,
      Executor dispatch,
      ScheduledExecutorService timer,
      Duration rewatchDelay,
      BiConsumer<String, Optional<byte[]>> onChange) {
    this.watch = watch;
    this.keyPrefix = keyPrefix;
    this.relativeFrom = relativeFrom;
    this.dispatch = dispatch;
    this.timer = timer;
    this.rewatchDelay = rewatchDelay;
    this.onChange = onChange;
  }

  /** Watches every change after {@code revision}. */
  void start(long revision) {
    delivered = revision;
    subscribe(revision + 1);
  }

  private synchronized void subscribe(long fromRevision) {
    if (closed) return;
    if (watcher != null) watcher.close();
    long current = ++generation;
    watcher =
        watch.watch(
            keyPrefix,
            WatchOption.builder().isPrefix(true).withRevision(fromRevision).build(),
            Watch.listener(
                response -> received(current, response),
                error -> failed(current, error),
                () -> failed(current, null)));
  }

  private void received(long from, WatchResponse response) {
    if (closed) return;
    try {
      dispatch.execute(LoopGuard.guarded("etcd watch dispatch", () -> deliver(from, response)));
    } catch (RejectedExecutionException full) {
      if (!closed) restart(from, "the dispatch queue is full");
    }
  }

  private void deliver(long from, WatchResponse response) {
    if (closed || !current(from)) return;
    long before = delivered;
    for (WatchEvent event : response.getEvents()) {
      long revision = event.getKeyValue().getModRevision();
      if (revision <= before) continue; // delivered before a re-watch
      String key = EtcdCalls.text(event.getKeyValue().getKey()).substring(relativeFrom);
      Optional<byte[]> value =
          switch (event.getEventType()) {
            case PUT -> Optional.of(event.getKeyValue().getValue().getBytes());
            case DELETE -> Optional.empty();
            default -> null;
          };
      delivered = Math.max(delivered, revision);
      if (value == null || closed) continue;
      LoopGuard.run("etcd watch listener", () -> onChange.accept(key, value));
    }
  }

  private void failed(long from, Throwable error) {
    if (closed || !current(from)) return;
    if (error instanceof CompactedException compacted) {
      Timers.submit(
          dispatch,
          "etcd watch compaction",
          () -> {
            if (delivered < compacted.getCompactedRevision() - 1) {
              log.warn(
                  "etcd compacted the changes under {} after revision {}; going on from {}: "
                      + "changes in between may have been missed",
                  LogText.quote(EtcdCalls.text(keyPrefix)),
                  delivered,
                  compacted.getCompactedRevision());
              delivered = compacted.getCompactedRevision() - 1;
            }
          });
    }
    restart(from, error == null ? "the stream ended" : EtcdCalls.message(error));
  }

  /** Watches again after a delay, from the revision after the last delivered one. */
  private void restart(long from, String why) {
    synchronized (this) {
      if (generation != from) return;
      generation++; // answers of the old watcher are dropped from now
      if (watcher != null) watcher.close();
      watcher = null;
    }
    log.info("Watching {} in etcd again ({})", LogText.quote(EtcdCalls.text(keyPrefix)), why);
    resubscribeLater();
  }

  private void resubscribeLater() {
    Timers.schedule(
        timer,
        rewatchDelay,
        "etcd re-watch",
        () -> {
          if (closed) return;
          try {
            // On the dispatch thread, after the changes already queued: "delivered" is final then.
            dispatch.execute(LoopGuard.guarded("etcd re-watch", () -> subscribe(delivered + 1)));
          } catch (RejectedExecutionException full) {
            resubscribeLater();
          }
        });
  }

  private synchronized boolean current(long from) {
    return generation == from;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (watcher != null) watcher.close();
    watcher = null;
  }
}
