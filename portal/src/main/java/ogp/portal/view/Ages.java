package ogp.portal.view;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times as the pages show them: "12s ago" in the cell, the exact UTC time in its tooltip. Relative
 * times stay right because every live update renders the fragment again.
 */
public final class Ages {
  private static final DateTimeFormatter EXACT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private final Clock clock;

  public Ages(Clock clock) {
    this.clock = clock;
  }

  public String ago(Instant time) {
    if (time == null) return "never";
    long s = Math.max(0, Duration.between(time, clock.instant()).getSeconds());
    if (s < 60) return s + "s ago";
    if (s < 3600) return (s / 60) + "m ago";
    if (s < 86400) return (s / 3600) + "h ago";
    return (s / 86400) + "d ago";
  }

  public static String exact(Instant time) {
    return time == null ? "" : EXACT.format(time);
  }
}
