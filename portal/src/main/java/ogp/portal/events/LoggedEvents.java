package ogp.portal.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventLog;
import ogp.reconciler.events.EventReason;

/**
 * The events page's feed from the server's {@link EventLog} (the same events as {@code
 * /api/v1/events} and the watch). Rejected revisions, lost hosts and failed containers or pulls are
 * warnings; a rejected revision's errors and author are part of its message.
 */
public final class LoggedEvents implements EventFeed {
  private static final Set<EventReason> WARNINGS =
      EnumSet.of(
          EventReason.REVISION_REJECTED,
          EventReason.REVISION_HELD,
          EventReason.HOST_DISCONNECTED,
          EventReason.HOST_LOST,
          EventReason.CONTAINER_FAILED,
          EventReason.PULL_FAILED);

  private final EventLog log;

  public LoggedEvents(EventLog log) {
    this.log = log;
  }

  @Override
  public List<PortalEvent> recent(int limit) {
    List<PortalEvent> events = new ArrayList<>();
    for (EventLog.Recorded r : log.list(null, limit))
      events.add(view(r.resourceVersion(), r.event()));
    Collections.reverse(events); // newest first
    return events;
  }

  static PortalEvent view(long id, Event e) {
    String kind = e.app() != null ? "App" : e.host() != null ? "Host" : "Revision";
    String subject =
        e.app() != null
            ? e.app() + (e.host() != null ? " @ " + e.host() : "")
            : e.host() != null
                ? e.host()
                : e.revision() == null
                    ? ""
                    : e.revision().substring(0, Math.min(8, e.revision().length()));
    StringBuilder message = new StringBuilder(e.message());
    if (e.author() != null && !e.author().isBlank()) message.append(" — by ").append(e.author());
    if (!e.errors().isEmpty()) message.append(": ").append(String.join("; ", e.errors()));
    return new PortalEvent(
        id,
        e.time(),
        kind,
        subject,
        e.reason().label(),
        message.toString(),
        WARNINGS.contains(e.reason()) ? "warning" : "normal");
  }
}
