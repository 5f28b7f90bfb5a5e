package ogp.reconciler.watch;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;

/**
 * One watcher's queue of lines, filled by {@link WatchHub} and drained by whoever writes them to
 * the client. The first lines (the initial list or the resumed history) are the backlog: it is not
 * copied into the queue but streamed, line by line as the writer asks for them, from the hub's
 * immutable snapshot of the objects (or the retained history entries) taken when the watch began,
 * so a new watch costs a pointer, not a copy of every object. The live lines after it are bounded
 * by the buffer: more than {@code bufferSize} lines or {@code bufferBytes} bytes queued and the
 * watcher is cut off, its queue replaced by one ERROR line.
 *
 * <p>Concurrency rule: every method synchronizes on this watch and does no I/O; the hub offers
 * lines under its own lock (hub lock, then watch lock, never the reverse). {@code wakeup} is run
 * after lines are added and must only schedule the writer, never write. The backlog's iterator
 * reads only immutable data, so it may run on the writer's thread.
 */
public final class Watch implements AutoCloseable {
  private final WatchHub hub;
  private final int bufferSize;
  private final long bufferBytes;
  private final Runnable wakeup;
  private Iterator<byte[]> backlog = Collections.emptyIterator(); // guarded by this
  private final ArrayDeque<byte[]> lines = new ArrayDeque<>(); // live lines; guarded by this
  private long queuedBytes; // of lines; guarded by this
  private boolean ended; // no more lines will be added; guarded by this
  private boolean cutOff; // ended because the buffer overflowed; guarded by this

  Watch(WatchHub hub, int bufferSize, long bufferBytes, Runnable wakeup) {
    this.hub = hub;
    this.bufferSize = bufferSize;
    this.bufferBytes = bufferBytes;
    this.wakeup = wakeup;
  }

  /** The lines to send before the live ones, produced lazily as they are polled. */
  synchronized void backlog(Iterator<byte[]> initial) {
    backlog = initial;
  }

  /** Queues a live line; returns false (and queues nothing) when the buffer is full. */
  boolean offer(byte[] line) {
    synchronized (this) {
      if (ended) return true;
      if (lines.size() >= bufferSize) return false;
      if (!lines.isEmpty() && queuedBytes + line.length > bufferBytes) return false;
      add(line);
    }
    wakeup.run();
    return true;
  }

  /** Ends the stream after the lines already queued, with a last line (e.g. an ERROR). */
  void end(byte[] last) {
    synchronized (this) {
      if (ended) return;
      ended = true;
      add(last);
    }
    wakeup.run();
  }

  /** Drops whatever is queued and ends with {@code error}: the watcher fell behind. */
  void cutOff(byte[] error) {
    synchronized (this) {
      if (ended) return;
      ended = true;
      cutOff = true;
      backlog = Collections.emptyIterator();
      lines.clear();
      queuedBytes = 0;
      add(error);
    }
    wakeup.run();
  }

  /** The next line to write, or null when none is queued now. */
  public synchronized byte[] poll() {
    if (backlog.hasNext()) return backlog.next();
    byte[] line = lines.pollFirst();
    if (line != null) queuedBytes -= line.length;
    return line;
  }

  /** True when the stream ended and every line of it has been polled: the response may complete. */
  public synchronized boolean finished() {
    return ended && !backlog.hasNext() && lines.isEmpty();
  }

  /**
   * True when the watcher was cut off for falling behind; its writer should stop waiting for the
   * client.
   */
  public synchronized boolean isCutOff() {
    return cutOff;
  }

  /** Bytes of live lines queued and not yet polled (the streamed backlog is not queued). */
  synchronized long queuedBytes() {
    return queuedBytes;
  }

  /** The client went away: stop sending to this watch. */
  @Override
  public void close() {
    synchronized (this) {
      ended = true;
      backlog = Collections.emptyIterator();
      lines.clear();
      queuedBytes = 0;
    }
    hub.remove(this);
  }

  private void add(byte[] line) {
    lines.addLast(line);
    queuedBytes += line.length;
  }
}
