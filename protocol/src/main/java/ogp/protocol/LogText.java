package ogp.protocol;

/**
 * Text from a peer (an agent's host id, labels, errors; a user's input) made safe for one log line
 * or message: in double quotes, quotes and backslashes escaped, control characters (CR, LF, ESC…)
 * as {@code \\uXXXX}, and cut after a bound with a note of the full length. So a peer can neither
 * forge log lines nor fill the log with one huge line.
 */
public final class LogText {
  /** Characters shown by {@link #quote(String)}. */
  public static final int DEFAULT_MAX = 200;

  private LogText() {}

  /** The text quoted and escaped, at most {@value #DEFAULT_MAX} characters of it. */
  public static String quote(String text) {
    return quote(text, DEFAULT_MAX);
  }

  /** The text quoted and escaped, at most {@code max} code points of it. */
  public static String quote(String text, int max) {
    StringBuilder out = new StringBuilder("\"");
    int length = text.codePointCount(0, text.length());
    text.codePoints()
        .limit(max)
        .forEach(
            c -> {
              if (c == '"' || c == '\\') out.append('\\').appendCodePoint(c);
              else if (c < 0x20
                  || c == 0x7f
                  || (c >= 0x80 && c < 0xa0)
                  || c == 0x2028
                  || c == 0x2029) out.append(String.format("\\u%04x", c));
              else out.appendCodePoint(c);
            });
    if (length > max) return out.append("…\" (").append(length).append(" characters)").toString();
    return out.append('"').toString();
  }
}
