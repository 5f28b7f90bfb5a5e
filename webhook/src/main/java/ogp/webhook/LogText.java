package ogp.webhook;

/**
 * Makes sender-provided text safe to log: quoted, with quotes, backslashes, control characters and
 * Unicode line separators escaped (no forged log lines), and cut after {@value #MAX_CODE_POINTS}
 * characters with a note of the full length (no huge log lines).
 *
 * <p>The same policy as the desired-state reader's {@code NodeValues.quote} in ogp-reconciler,
 * which this module cannot depend on; kept here rather than in a shared module because the webhook
 * module depends on nothing of OGP's.
 */
final class LogText {
  /** At most this many characters of one value are logged. */
  static final int MAX_CODE_POINTS = 200;

  private LogText() {}

  /** The text in double quotes, escaped and bounded; {@code null} is logged as {@code null}. */
  static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    int length = text.codePointCount(0, text.length());
    text.codePoints().limit(MAX_CODE_POINTS).forEach(c -> append(out, c));
    if (length > MAX_CODE_POINTS) {
      return out.append("…\" (").append(length).append(" characters)").toString();
    }
    return out.append('"').toString();
  }

  private static void append(StringBuilder out, int c) {
    if (c == '"' || c == '\\') {
      out.append('\\').appendCodePoint(c);
    } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
      out.append(String.format("\\u%04x", c));
    } else {
      out.appendCodePoint(c);
    }
  }
}
