package ogp.reconciler.watch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bounded ring of recent changes and the resource-version arithmetic of resuming. Pure and not
 * thread-safe: {@link WatchHub} guards it.
 *
 * <p>Every change gets the next resource version. The ring retains the changes after {@link
 * #floor()}; a watcher that saw everything up to N can resume exactly iff {@code floor() <= N <=
 * current()}: then every change after N is retained. Anything else (older, or newer than this
 * server ever issued, e.g. from an earlier server run) is gone.
 */
final class WatchHistory {
  /**
   * One retained change: its version, and what its line is made of. The object's JSON is the same
   * array the hub keeps as the current object, not a copy: with 10,000 hosts connecting, a full
   * history held a second copy of every host's JSON (about 1 KB per agent).
   */
  record Entry(long resourceVersion, String type, String kind, byte[] objectJson) {
    /** The line every watcher gets, made on demand. */
    byte[] line() {
      return WatchLine.of(type, resourceVersion, kind, objectJson);
    }
  }

  private final int capacity;
  private final long maxBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long bytes; // of the retained entries' objects
  private long current;
  private long floor;

  /**
   * @param start the version before the first change; start above any earlier server run's versions
   */
  WatchHistory(int capacity, long start) {
    this(capacity, Long.MAX_VALUE, start);
  }

  /**
   * @param maxBytes the most the retained objects may hold; the oldest are dropped first (the
   *     newest change is always retained)
   */
  WatchHistory(int capacity, long maxBytes, long start) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be positive: " + capacity);
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.current = start;
    this.floor = start;
  }

  /** Appends a change at the next version; returns the entry. */
  Entry append(String type, String kind, byte[] objectJson) {
    long rv = current + 1;
    Entry entry = new Entry(rv, type, kind, objectJson);
    current = rv;
    entries.addLast(entry);
    bytes += objectJson.length;
    while (entries.size() > 1 && (entries.size() > capacity || bytes > maxBytes)) {
      Entry dropped = entries.removeFirst();
      bytes -= dropped.objectJson().length;
      floor = dropped.resourceVersion();
    }
    return entry;
  }

  /** Bytes of the retained changes' objects. */
  long bytes() {
    return bytes;
  }

  long current() {
    return current;
  }

  long floor() {
    return floor;
  }

  /**
   * Every change after {@code resourceVersion}, oldest first, or empty when they are not all
   * retained.
   */
  Optional<List<Entry>> after(long resourceVersion) {
    if (resourceVersion < floor || resourceVersion > current) return Optional.empty();
    List<Entry> result = new ArrayList<>((int) (current - resourceVersion));
    for (Entry e : entries) if (e.resourceVersion() > resourceVersion) result.add(e);
    return Optional.of(result);
  }
}
