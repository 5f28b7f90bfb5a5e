package ogp.reconciler.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LoopGuard;

/**
 * The watch stream's source of truth: the current objects of every kind (App, Host, Revision), the
 * bounded history of changes with one resource version across kinds, and the watchers.
 *
 * <p>Policy (Kubernetes' watch): a watch without a resource version starts with every current
 * object as ADDED, stamped with the current version, then a BOOKMARK marking the end of that list;
 * a watch from version N gets exactly the changes after N, or {@link ResourceVersionGone} when they
 * are no longer all retained (or N was never issued by this server run). A changed object is
 * MODIFIED only when its JSON changed; an object equal to the current one (the watched objects are
 * records, equal exactly when their fields are) is not serialized again. Every watcher gets a
 * BOOKMARK every interval. A watcher whose unwritten lines exceed the buffer is cut off with an
 * ERROR (code 410: resume or list again), so a slow client never holds the publisher, the
 * reconciler or other watchers. {@link #close()} ends every watch with an ERROR (code 503).
 *
 * <p>Concurrency rule: one lock (this hub) guards the objects, the history and the watcher set. It
 * is held to append a change and offer its line to every watcher (in-memory, O(watchers)), never
 * during I/O or JSON serialization, which callers do before. Lock order: hub, then a {@link Watch};
 * writers never take the hub lock while holding a watch's.
 */
public final class WatchHub implements AutoCloseable {
  private final WatchSettings settings;
  private final ObjectMapper json;
  private final WatchHistory history;

  /**
   * Per kind, the current objects: an immutable map, replaced (never changed) by {@link #sync}, so
   * a new watch streams its initial list from the map it saw without copying it.
   */
  private final Map<WatchKind, Map<String, Known>> objects =
      new EnumMap<>(WatchKind.class); // guarded by this

  private final Set<Watch> watchers = new LinkedHashSet<>(); // guarded by this
  private final ScheduledExecutorService bookmarks;
  private final Counter cutOffs;
  private boolean closed; // guarded by this

  /** A watch from a resource version whose changes are no longer (or were never) retained. */
  /** A current object and its JSON, the bytes every watcher is sent. */
  private record Known(Object value, byte[] json) {}

  public static final class ResourceVersionGone extends Exception {
    public ResourceVersionGone(String message) {
      super(message);
    }
  }

  public WatchHub(WatchSettings settings, ObjectMapper json, MeterRegistry meters, Clock clock) {
    this.settings = settings;
    this.json = json;
    // Versions start above those of any earlier run, so a client's old version is never mistaken
    // for a current one.
    this.history =
        new WatchHistory(settings.historySize(), settings.historyBytes(), clock.millis() * 1000);
    for (WatchKind kind : WatchKind.values()) objects.put(kind, Map.of());
    this.bookmarks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-watch-bookmarks");
              t.setDaemon(true);
              return t;
            });
    long every = settings.bookmarkInterval().toMillis();
    bookmarks.scheduleAtFixedRate(
        LoopGuard.guarded("the watch bookmarks", this::bookmark),
        every,
        every,
        TimeUnit.MILLISECONDS);
    Gauge.builder("ogp.watchers", this, WatchHub::watchers)
        .description("Open watch streams")
        .register(meters);
    cutOffs =
        Counter.builder("ogp.watch.cutoffs")
            .description("Watchers cut off because they fell behind")
            .register(meters);
  }

  /** Starts a watch; {@code wakeup} is run whenever lines were queued (see {@link Watch}). */
  public synchronized Watch watch(OptionalLong resourceVersion, Runnable wakeup)
      throws ResourceVersionGone {
    Watch watch = new Watch(this, settings.bufferSize(), settings.bufferBytes(), wakeup);
    if (closed) {
      watch.end(
          WatchLine.error(
              history.current(), 503, "ServiceUnavailable", "the server is shutting down"));
      return watch;
    }
    if (resourceVersion.isPresent()) {
      long from = resourceVersion.getAsLong();
      List<WatchHistory.Entry> missed =
          history
              .after(from)
              .orElseThrow(
                  () ->
                      new ResourceVersionGone(
                          "resourceVersion "
                              + from
                              + " is not retained (history holds "
                              + history.floor()
                              + ".."
                              + history.current()
                              + "); list again by watching without one"));
      // References to the retained entries (bounded by the history); each line is made when
      // written.
      watch.backlog(missed.stream().map(WatchHistory.Entry::line).iterator());
    } else {
      // Streamed from the immutable maps of now, restamped with the list's version as written.
      long rv = history.current();
      watch.backlog(new InitialList(new EnumMap<>(objects), rv));
    }
    watchers.add(watch);
    wakeup.run();
    return watch;
  }

  /**
   * Makes {@code current} the objects of {@code kind}: ADDED for new keys, MODIFIED for those whose
   * JSON changed, DELETED for keys no longer present. Serializes outside the lock, and only the
   * objects not equal to the current ones: on a fleet of 10,000 hosts a recompute changes a few,
   * and serializing all of them to compare was most of the server's CPU during a deploy.
   */
  public void sync(WatchKind kind, Map<String, ?> current) {
    Map<String, Known> before;
    synchronized (this) {
      before = Map.copyOf(objects.get(kind));
    }
    Map<String, Known> fresh = new LinkedHashMap<>();
    current.forEach(
        (key, value) -> {
          Known old = before.get(key);
          fresh.put(
              key,
              old != null && old.value().equals(value) ? old : new Known(value, serialize(value)));
        });
    synchronized (this) {
      Map<String, Known> known = objects.get(kind);
      known.forEach(
          (key, old) -> {
            if (!fresh.containsKey(key)) publish(WatchLine.DELETED, kind, old.json());
          });
      fresh.forEach(
          (key, object) -> {
            Known old = known.get(key);
            if (old == null) publish(WatchLine.ADDED, kind, object.json());
            else if (old != object && !Arrays.equals(old.json(), object.json()))
              publish(WatchLine.MODIFIED, kind, object.json());
          });
      // Replaced, never changed: watches still streaming the old map keep a consistent list.
      objects.put(kind, Collections.unmodifiableMap(fresh));
    }
  }

  /**
   * Publishes an object that is not kept as current state (an event) as ADDED; returns its version.
   */
  public long append(WatchKind kind, Object object) {
    byte[] bytes = serialize(object);
    synchronized (this) {
      return publish(WatchLine.ADDED, kind, bytes);
    }
  }

  public synchronized long resourceVersion() {
    return history.current();
  }

  /**
   * How many current objects of a kind the watch holds (e.g. to wait until the first list is
   * complete).
   */
  public synchronized int count(WatchKind kind) {
    return objects.get(kind).size();
  }

  public synchronized int watchers() {
    return watchers.size();
  }

  /** Bytes queued for every watcher and not yet written (the streamed initial lists excluded). */
  public synchronized long queuedBytes() {
    long total = 0;
    for (Watch w : watchers) total += w.queuedBytes();
    return total;
  }

  /** Ends every watch with an ERROR after what is queued; new watches get only that ERROR. */
  @Override
  public void close() {
    bookmarks.shutdownNow();
    synchronized (this) {
      if (closed) return;
      closed = true;
      byte[] error =
          WatchLine.error(
              history.current(),
              503,
              "ServiceUnavailable",
              "the server is shutting down; resume later");
      watchers.forEach(w -> w.end(error));
      watchers.clear();
    }
  }

  synchronized void remove(Watch watch) {
    watchers.remove(watch);
  }

  // guarded by this
  private long publish(String type, WatchKind kind, byte[] object) {
    WatchHistory.Entry entry = history.append(type, kind.name(), object);
    offerAll(entry.line());
    return entry.resourceVersion();
  }

  private void bookmark() {
    synchronized (this) {
      offerAll(WatchLine.bookmark(history.current(), false));
    }
  }

  // guarded by this
  private void offerAll(byte[] line) {
    for (Iterator<Watch> it = watchers.iterator(); it.hasNext(); ) {
      Watch w = it.next();
      if (!w.offer(line)) {
        it.remove();
        cutOffs.increment();
        w.cutOff(
            WatchLine.error(
                history.current(),
                410,
                "Expired",
                "this watcher fell more than "
                    + settings.bufferSize()
                    + " lines or "
                    + settings.bufferBytes()
                    + " bytes behind and was cut off; resume from the last resourceVersion"));
      }
    }
  }

  /**
   * The initial list of a watch, one line at a time: every object of the maps it was given (the
   * hub's immutable maps of the moment the watch began) as ADDED at {@code rv}, then the BOOKMARK
   * that ends the list. Holds iterators, never the lines. (A flat-mapped stream's iterator would
   * buffer a whole kind's lines at once.)
   */
  private static final class InitialList implements Iterator<byte[]> {
    private final Iterator<Map.Entry<WatchKind, Map<String, Known>>> kinds;
    private final long rv;
    private WatchKind kind;
    private Iterator<Known> objectsOfKind = Collections.emptyIterator();
    private boolean bookmarkSent;

    InitialList(Map<WatchKind, Map<String, Known>> snapshot, long rv) {
      this.kinds = snapshot.entrySet().iterator();
      this.rv = rv;
    }

    @Override
    public boolean hasNext() {
      while (!objectsOfKind.hasNext() && kinds.hasNext()) {
        Map.Entry<WatchKind, Map<String, Known>> next = kinds.next();
        kind = next.getKey();
        objectsOfKind = next.getValue().values().iterator();
      }
      return objectsOfKind.hasNext() || !bookmarkSent;
    }

    @Override
    public byte[] next() {
      if (!hasNext()) throw new java.util.NoSuchElementException();
      if (objectsOfKind.hasNext()) {
        return WatchLine.of(WatchLine.ADDED, rv, kind.name(), objectsOfKind.next().json());
      }
      bookmarkSent = true;
      return WatchLine.bookmark(rv, true);
    }
  }

  private byte[] serialize(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot serialize " + value.getClass().getSimpleName() + " for the watch", e);
    }
  }
}
