package ogp.reconciler.desired;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in desired-state files: Go-style units in decreasing order, each at most
 * once, e.g. {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1m30s}. Bare numbers are
 * refused on purpose: {@code timeout: 5} could mean seconds or milliseconds. Also used for the
 * duration flags of the command line, so both read the same way.
 */
public final class DurationText {
  public static final String EXPECTED = "expected a duration like 500ms, 5s, 2m, 1h or 1m30s";

  private static final Pattern FORMAT =
      Pattern.compile("(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?(?:(\\d{1,9})ms)?");

  private DurationText() {}

  /** The duration written as text, or empty when it is not in this format. */
  public static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (text.isEmpty() || !m.matches()) return Optional.empty();
    return Optional.of(
        Duration.ofHours(number(m.group(1)))
            .plusMinutes(number(m.group(2)))
            .plusSeconds(number(m.group(3)))
            .plusMillis(number(m.group(4))));
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }
}
