package ogp.protocol;

/**
 * Cuts text that a peer or a user provided to a limit, visibly: the kept part is followed by {@code
 * "… [N more characters]"}, so a reader sees that something was cut and how much. Never splits a
 * surrogate pair. Used where such text is kept (agent reports, events), not for logging.
 */
public final class BoundedText {
  private BoundedText() {}

  /** {@code text} when it has at most {@code max} characters, else its cut form. */
  public static String cut(String text, int max) {
    if (text == null || text.length() <= max) return text;
    int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + "… [" + (text.length() - end) + " more characters]";
  }
}
