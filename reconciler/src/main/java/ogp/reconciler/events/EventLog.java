package ogp.reconciler.events;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import ogp.protocol.BoundedText;
import ogp.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's events: recorded by anyone ({@link #record(Event)} is the public way in, e.g. for a
 * committed rollback), logged at INFO as one line, counted in {@code ogp_events_total{reason}},
 * published to watchers, and retained in a bounded window (oldest dropped first) for {@code GET
 * /api/v1/events}.
 *
 * <p>Bounds: the window holds at most {@code capacity} events and at most {@code maxBytes} of them
 * (estimated as two bytes per character plus a fixed overhead per event), whichever is reached
 * first; an event's message is cut to {@value #MAX_MESSAGE} characters and its errors to the first
 * {@value #MAX_ERRORS}, each cut to {@value #MAX_MESSAGE} characters, before it is logged,
 * published or retained (events quote what agents and commits say).
 *
 * <p>Every event gets the resource version the publisher assigns (the watch stream's, shared by
 * every kind), so {@code ?since=RV} of the list and of the watch mean the same thing.
 *
 * <p>Concurrency rule: {@link #record} and {@link #list} are serialized on this log, so the window
 * is in resource-version order; the publisher is called under that lock and must not call back.
 */
public final class EventLog {
  private static final Logger log = LoggerFactory.getLogger("ogp.events");

  /** Characters of an event's message in its log line. */
  static final int LOGGED_MESSAGE_MAX = 2_000;

  /** One retained event with its resource version. */
  public record Recorded(long resourceVersion, @JsonUnwrapped Event event) {}

  /** Characters of an event's message (and of each of its errors) kept. */
  public static final int MAX_MESSAGE = 8192;

  /** Errors of an event kept (a rejected revision's full list is in {@code /api/v1/revision}). */
  public static final int MAX_ERRORS = 100;

  /** Characters of an event's app, host, revision and author kept. */
  public static final int MAX_NAME = 1024;

  /** The default byte bound of the window: 16 MiB. */
  public static final long DEFAULT_MAX_BYTES = 16L << 20;

  private static final int OVERHEAD_BYTES = 200;

  private final int capacity;
  private final long maxBytes;
  private final ToLongFunction<Event> publisher;
  private final MeterRegistry meters;
  private final ArrayDeque<Recorded> window = new ArrayDeque<>(); // guarded by this
  private long bytes; // estimated size of the window; guarded by this

  /**
   * @param capacity how many events are retained
   * @param publisher publishes an event to watchers and returns its resource version
   * @param meters where {@code ogp_events_total} is counted
   */
  public EventLog(int capacity, ToLongFunction<Event> publisher, MeterRegistry meters) {
    this(capacity, DEFAULT_MAX_BYTES, publisher, meters);
  }

  /**
   * @param maxBytes the most the retained events may hold (estimated)
   */
  public EventLog(
      int capacity, long maxBytes, ToLongFunction<Event> publisher, MeterRegistry meters) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be positive: " + capacity);
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.publisher = publisher;
    this.meters = meters;
  }

  /** Records an event (its message and errors bounded); returns its resource version. */
  public long record(Event recorded) {
    Event event = bounded(recorded);
    long rv;
    synchronized (this) {
      rv = publisher.applyAsLong(event);
      window.addLast(new Recorded(rv, event));
      bytes += estimatedBytes(event);
      while (window.size() > 1 && (window.size() > capacity || bytes > maxBytes)) {
        bytes -= estimatedBytes(window.removeFirst().event());
      }
    }
    Counter.builder("ogp.events")
        .description("Events recorded, by reason")
        .tag("reason", event.reason().label())
        .register(meters)
        .increment();
    log.info(
        "{} rv={}{}{}{}: {}",
        event.reason().label(),
        rv,
        event.app() == null ? "" : " app=" + event.app(),
        event.host() == null ? "" : " host=" + event.host(),
        event.revision() == null ? "" : " revision=" + shortSha(event.revision()),
        // Messages carry agents' words (a container's error, a registry's answer): one line each.
        LogText.escape(event.message(), LOGGED_MESSAGE_MAX));
    return rv;
  }

  /**
   * Retained events, oldest first. With {@code since}, only those after that resource version and
   * at most the first {@code limit} of them (to page forward); without, the newest {@code limit}.
   */
  public synchronized List<Recorded> list(Long since, int limit) {
    List<Recorded> matching = new ArrayList<>();
    for (Recorded r : window) if (since == null || r.resourceVersion() > since) matching.add(r);
    if (matching.size() <= limit) return matching;
    return since == null
        ? List.copyOf(matching.subList(matching.size() - limit, matching.size()))
        : List.copyOf(matching.subList(0, limit));
  }

  /** The estimated bytes the window holds now. */
  public synchronized long retainedBytes() {
    return bytes;
  }

  private static Event bounded(Event e) {
    boolean fits =
        e.message().length() <= MAX_MESSAGE
            && fits(e.app())
            && fits(e.host())
            && fits(e.revision())
            && fits(e.author())
            && e.errors().size() <= MAX_ERRORS
            && e.errors().stream().allMatch(m -> m.length() <= MAX_MESSAGE);
    if (fits) return e;
    List<String> errors =
        e.errors().stream().limit(MAX_ERRORS).map(m -> BoundedText.cut(m, MAX_MESSAGE)).toList();
    if (e.errors().size() > MAX_ERRORS) {
      errors = new ArrayList<>(errors);
      errors.add("… [" + (e.errors().size() - MAX_ERRORS) + " more errors]");
    }
    return new Event(
        e.time(),
        e.reason(),
        BoundedText.cut(e.app(), MAX_NAME),
        BoundedText.cut(e.host(), MAX_NAME),
        BoundedText.cut(e.revision(), MAX_NAME),
        BoundedText.cut(e.author(), MAX_NAME),
        BoundedText.cut(e.message(), MAX_MESSAGE),
        errors);
  }

  private static boolean fits(String name) {
    return name == null || name.length() <= MAX_NAME;
  }

  private static long estimatedBytes(Event e) {
    long chars = e.message().length();
    for (String s : new String[] {e.app(), e.host(), e.revision(), e.author()})
      if (s != null) chars += s.length();
    for (String s : e.errors()) chars += s.length() + 16;
    return OVERHEAD_BYTES + 2 * chars;
  }

  private static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
