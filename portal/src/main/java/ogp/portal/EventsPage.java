package ogp.portal;

import java.util.List;
import ogp.portal.events.EventFeed;
import ogp.portal.view.Ages;

/** The live event stream: the newest events first, warnings highlighted. */
public final class EventsPage {
  static final int SHOWN = 200;
  private final EventFeed feed;
  private final Ages ages;

  EventsPage(EventFeed feed, Ages ages) {
    this.feed = feed;
    this.ages = ages;
  }

  /** One event. */
  public record EventRow(
      String age,
      String exactTime,
      String kind,
      String subject,
      String reason,
      String message,
      boolean warning) {}

  List<EventRow> rows() {
    return feed.recent(SHOWN).stream()
        .map(
            e ->
                new EventRow(
                    ages.ago(e.time()),
                    Ages.exact(e.time()),
                    e.kind(),
                    e.subject(),
                    e.reason(),
                    e.message(),
                    "warning".equalsIgnoreCase(e.severity())))
        .toList();
  }
}
