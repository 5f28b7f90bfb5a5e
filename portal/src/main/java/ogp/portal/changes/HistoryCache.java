package ogp.portal.changes;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import ogp.reconciler.changes.HistoryEntry;

/**
 * App histories read from Git once per applied revision: the apps grid shows every app's last
 * change on each live update, and walking Git for each app each time would cost far more than the
 * page. A new applied revision (any commit) empties the cache.
 */
public final class HistoryCache {
  private final FleetChanges changes;
  private final Supplier<String> revision;
  private final Map<String, List<HistoryEntry>> byApp = new ConcurrentHashMap<>();
  private volatile String cachedRevision;

  /**
   * @param revision the applied revision's sha (or null before the first)
   */
  public HistoryCache(FleetChanges changes, Supplier<String> revision) {
    this.changes = changes;
    this.revision = revision;
  }

  /** The app's history, newest first, at most {@value #DEPTH} entries. */
  public List<HistoryEntry> history(String app) {
    String now = revision.get();
    if (now == null || !now.equals(cachedRevision)) {
      byApp.clear();
      cachedRevision = now;
    }
    List<HistoryEntry> cached = byApp.get(app);
    if (cached != null) return cached;
    try {
      List<HistoryEntry> read = changes.history(app);
      List<HistoryEntry> kept = List.copyOf(read.subList(0, Math.min(DEPTH, read.size())));
      byApp.put(app, kept);
      return kept;
    } catch (ChangeRefusal e) {
      return List.of(); // not cached: the next render asks Git again
    }
  }

  public Optional<HistoryEntry> last(String app) {
    return history(app).stream().findFirst();
  }

  /** How many commits the app page lists. */
  public static final int DEPTH = 50;
}
