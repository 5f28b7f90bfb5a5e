package ogp.reconciler.events;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import ogp.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's events: recorded by anyone ({@link #record(Event)} is the public way in, e.g. for a
 * committed rollback), logged at INFO as one line, counted in {@code ogp_events_total{reason}},
 * published to watchers, and retained in a bounded window (oldest dropped first) for {@code GET
 * /api/v1/events}.
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

  private final int capacity;
  private final ToLongFunction<Event> publisher;
  private final MeterRegistry meters;
  private final ArrayDeque<Recorded> window = new ArrayDeque<>(); // guarded by this

  /**
   * @param capacity how many events are retained
   * @param publisher publishes an event to watchers and returns its resource version
   * @param meters where {@code ogp_events_total} is counted
   */
  public EventLog(int capacity, ToLongFunction<Event> publisher, MeterRegistry meters) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be positive: " + capacity);
    this.capacity = capacity;
    this.publisher = publisher;
    this.meters = meters;
  }

  /** Records an event; returns its resource version. */
  public long record(Event event) {
    long rv;
    synchronized (this) {
      rv = publisher.applyAsLong(event);
      window.addLast(new Recorded(rv, event));
      if (window.size() > capacity) window.removeFirst();
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

  private static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
