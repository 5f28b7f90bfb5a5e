package ogp.protocol;

/**
 * Text from a peer (an agent's host id, labels, errors; a user's input) made safe for one log line
 * or message: in double quotes, quotes and backslashes escaped, control characters (CR, LF, ESC…)
 * as {@code \\uXXXX}, and cut after a bound with a note of the full length. So a peer can neither
 * forge log lines nor fill the log with one huge line.
 *
 * <p>The policy of the webhook module's own {@code ogp.webhook.LogText} (that module depends on
 * nothing of OGP's); the server, the agent and the desired-state reader share this one.
 */
public final class LogText {
  /** Characters shown by {@link #quote(String)}. */
  public static final int DEFAULT_MAX = 200;

  private LogText() {}

  /** The text quoted and escaped, at most {@value #DEFAULT_MAX} characters of it. */
  public static String quote(String text) {
    return quote(text, DEFAULT_MAX);
  }

  /**
   * The text quoted and escaped, at most {@code max} code points of it; {@code null} is {@code
   * null}.
   */
  public static String quote(String text, int max) {
    if (text == null) return "null";
    StringBuilder out = new StringBuilder("\"");
    int length = append(out, text, max, true);
    if (length > max) return out.append("…\" (").append(length).append(" characters)").toString();
    return out.append('"').toString();
  }

  /**
   * The text escaped but not quoted, for text that is a whole message of ours with a peer's words
   * in it (an event's message): control characters as {@code \\uXXXX}, at most {@code max} code
   * points, then a note of the full length.
   */
  public static String escape(String text, int max) {
    if (text == null) return "null";
    StringBuilder out = new StringBuilder();
    int length = append(out, text, max, false);
    if (length > max) return out.append("… (").append(length).append(" characters)").toString();
    return out.toString();
  }

  /** Appends the escaped text, at most {@code max} code points; returns its full length. */
  private static int append(StringBuilder out, String text, int max, boolean quoted) {
    text.codePoints()
        .limit(max)
        .forEach(
            c -> {
              if (quoted && (c == '"' || c == '\\')) out.append('\\').appendCodePoint(c);
              else if (unsafe(c)) out.append(String.format("\\u%04x", c));
              else out.appendCodePoint(c);
            });
    return text.codePointCount(0, text.length());
  }

  /** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
  private static boolean unsafe(int c) {
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029;
  }
}
