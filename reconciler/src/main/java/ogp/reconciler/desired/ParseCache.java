package ogp.reconciler.desired;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parse of each desired-state file by path, reused while the file's bytes are the same: a
 * standby replica parses the leader's applied revision ahead, so its server, once elected, parses
 * nothing that did not change since (docs/ha.md, "Takeover").
 *
 * <p>Policy: one entry per path, the last content read there; a hit needs byte-for-byte equal
 * content (a {@link FileResult} is immutable, so a hit hands out the same instance). At most {@code
 * maxEntries} paths are kept, the least recently used going first. Thread-safe: files are parsed on
 * several threads; the lock is never held while parsing.
 */
public final class ParseCache {
  /** Paths kept by default: a 20,000-file desired state fits twice. */
  public static final int DEFAULT_MAX_ENTRIES = 40_000;

  private record Entry(byte[] content, FileResult result) {}

  private final int maxEntries;
  private final Map<String, Entry> entries;
  private long hits;
  private long misses;

  public ParseCache() {
    this(DEFAULT_MAX_ENTRIES);
  }

  /**
   * A cache that keeps nothing: every read parses (a single server, which parses each file once).
   */
  public static ParseCache none() {
    return new ParseCache(0);
  }

  /**
   * @param maxEntries how many paths are kept; 0 keeps none
   */
  public ParseCache(int maxEntries) {
    if (maxEntries < 0) throw new IllegalArgumentException("maxEntries < 0: " + maxEntries);
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > ParseCache.this.maxEntries;
          }
        };
  }

  /** The parse of {@code content} at {@code path}: the cached one, or {@code reader}'s (kept). */
  public FileResult read(DesiredStateReader reader, String path, byte[] content) {
    if (maxEntries == 0) return reader.readFile(path, content);
    synchronized (this) {
      Entry e = entries.get(path);
      if (e != null && Arrays.equals(e.content(), content)) {
        hits++;
        return e.result();
      }
      misses++;
    }
    FileResult result = reader.readFile(path, content);
    synchronized (this) {
      entries.put(path, new Entry(content, result));
    }
    return result;
  }

  /** Reads answered from the cache since it was made. */
  public synchronized long hits() {
    return hits;
  }

  /** Reads that parsed since it was made. */
  public synchronized long misses() {
    return misses;
  }

  public synchronized int size() {
    return entries.size();
  }
}
