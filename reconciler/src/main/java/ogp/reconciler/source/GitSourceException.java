package ogp.reconciler.source;

/**
 * A failure of the Git source, described in one sentence that an operator can act on.
 *
 * <p>Policy: the message never contains credentials. URLs in it are passed through {@link
 * Redaction#redact(String)}, and a cause is attached only when none of its messages contains a
 * known secret (a JGit exception can quote the URL it was given).
 */
public class GitSourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GitSourceException(String message) {
    super(message);
  }

  public GitSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
