package ogp.reconciler.watch;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One watcher's queue of lines, filled by {@link WatchHub} and drained by whoever writes them to
 * the client. The first lines (the initial list or the resumed history) are the backlog and are not
 * bounded here (the hub's history bounds them); the live lines after it are bounded by the buffer
 * size: one more and the watcher is cut off, its queue replaced by one ERROR line.
 *
 * <p>Concurrency rule: every method synchronizes on this watch and does no I/O; the hub offers
 * lines under its own lock (hub lock, then watch lock, never the reverse). {@code wakeup} is run
 * after lines are added and must only schedule the writer, never write.
 */
public final class Watch implements AutoCloseable {
  private final WatchHub hub;
  private final int bufferSize;
  private final Runnable wakeup;
  private final ArrayDeque<byte[]> lines = new ArrayDeque<>(); // guarded by this
  private int
      backlog; // lines at the head of the queue that do not count against the buffer; guarded by
  // this
  private boolean ended; // no more lines will be added; guarded by this
  private boolean cutOff; // ended because the buffer overflowed; guarded by this

  Watch(WatchHub hub, int bufferSize, Runnable wakeup) {
    this.hub = hub;
    this.bufferSize = bufferSize;
    this.wakeup = wakeup;
  }

  synchronized void backlog(List<byte[]> initial) {
    lines.addAll(initial);
    backlog += initial.size();
  }

  /** Queues a live line; returns false (and queues nothing) when the buffer is full. */
  boolean offer(byte[] line) {
    synchronized (this) {
      if (ended) return true;
      if (lines.size() - backlog >= bufferSize) return false;
      lines.addLast(line);
    }
    wakeup.run();
    return true;
  }

  /** Ends the stream after the lines already queued, with a last line (e.g. an ERROR). */
  void end(byte[] last) {
    synchronized (this) {
      if (ended) return;
      ended = true;
      lines.addLast(last);
    }
    wakeup.run();
  }

  /** Drops whatever is queued and ends with {@code error}: the watcher fell behind. */
  void cutOff(byte[] error) {
    synchronized (this) {
      if (ended) return;
      ended = true;
      cutOff = true;
      lines.clear();
      backlog = 0;
      lines.addLast(error);
    }
    wakeup.run();
  }

  /** The next line to write, or null when none is queued now. */
  public synchronized byte[] poll() {
    byte[] line = lines.pollFirst();
    if (line != null && backlog > 0) backlog--;
    return line;
  }

  /** True when the stream ended and every line of it has been polled: the response may complete. */
  public synchronized boolean finished() {
    return ended && lines.isEmpty();
  }

  /**
   * True when the watcher was cut off for falling behind; its writer should stop waiting for the
   * client.
   */
  public synchronized boolean isCutOff() {
    return cutOff;
  }

  /** The client went away: stop sending to this watch. */
  @Override
  public void close() {
    synchronized (this) {
      ended = true;
      lines.clear();
    }
    hub.remove(this);
  }
}
