package ogp.reconciler.events;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Something that happened in the fleet, as operators read it: when, why, where (app, host,
 * revision) and one sentence. Values only; {@link EventLog#record(Event)} stamps nothing but the
 * resource version, so the time is the caller's.
 *
 * <p>Build with {@link #of(EventReason, String)} and the {@code with…} copies, e.g. {@code
 * Event.of(clock, EventReason.ROLLBACK_COMMITTED, "web rolled back to
 * 41").withApp("web").withRevision(sha)}.
 *
 * @param app the app concerned, or null
 * @param host the host concerned, or null
 * @param revision the Git revision concerned, or null
 * @param author who made the revision ("Name <email>"), or null
 * @param errors validation errors of a rejected revision; empty otherwise
 */
public record Event(
    Instant time,
    EventReason reason,
    String app,
    String host,
    String revision,
    String author,
    String message,
    List<String> errors) {

  public Event {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** An event happening now by the given clock, with nothing but its reason and message. */
  public static Event of(Clock clock, EventReason reason, String message) {
    return new Event(clock.instant(), reason, null, null, null, null, message, List.of());
  }

  public Event withApp(String app) {
    return new Event(time, reason, app, host, revision, author, message, errors);
  }

  public Event withHost(String host) {
    return new Event(time, reason, app, host, revision, author, message, errors);
  }

  public Event withRevision(String revision) {
    return new Event(time, reason, app, host, revision, author, message, errors);
  }

  public Event withAuthor(String author) {
    return new Event(time, reason, app, host, revision, author, message, errors);
  }

  public Event withErrors(List<String> errors) {
    return new Event(time, reason, app, host, revision, author, message, errors);
  }
}
