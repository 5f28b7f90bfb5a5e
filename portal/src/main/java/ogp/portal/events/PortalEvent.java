package ogp.portal.events;

import java.time.Instant;

/**
 * One line of the events page.
 *
 * @param kind what it is about: App, Host or Revision
 * @param severity normal or warning, for the row's colour
 */
public record PortalEvent(
    long id,
    Instant time,
    String kind,
    String subject,
    String reason,
    String message,
    String severity) {}
