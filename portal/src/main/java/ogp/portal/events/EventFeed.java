package ogp.portal.events;

import java.util.List;

/** The recent events the events page shows, newest first; bound to the reconciler's event log. */
@FunctionalInterface
public interface EventFeed {
  List<PortalEvent> recent(int limit);

  static EventFeed none() {
    return limit -> List.of();
  }
}
