package ogp.reconciler.source;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Removes credentials from URLs and from text that may quote them.
 *
 * <p>Policy: the user-info part of every {@code scheme://user-info@host} URL is replaced by {@code
 * ***}, whatever it holds (a token is often put there without a colon). The scp-like form {@code
 * git@host:org/repo.git} cannot carry a password and is left as it is.
 */
public final class Redaction {
  /** {@code scheme://} followed by user-info up to the last {@code @} before the host part. */
  private static final Pattern USER_INFO =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\s@]+@");

  private static final String MASK = "***";

  private Redaction() {}

  /**
   * {@code https://user:secret@host/x.git} → {@code https://***@host/x.git}; also works on any text
   * holding URLs.
   */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    return USER_INFO.matcher(url).replaceAll("$1" + MASK + "@");
  }

  /**
   * {@link #redact(String)} plus every literal occurrence of the given secrets (blank ones
   * ignored).
   */
  public static String scrub(String text, Collection<String> secrets) {
    String result = redact(text);
    if (result == null) {
      return null;
    }
    for (String secret : secrets) {
      if (secret != null && !secret.isBlank()) {
        result = result.replace(secret, MASK);
      }
    }
    return result;
  }

  /**
   * Whether any message in the cause chain contains one of the secrets (then the chain must not be
   * logged).
   */
  static boolean leaks(Throwable error, Collection<String> secrets) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (!message.equals(redact(message))) {
        return true;
      }
      for (String secret : secrets) {
        if (secret != null && !secret.isBlank() && message.contains(secret)) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
