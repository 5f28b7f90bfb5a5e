package ogp.reconciler.changes;

/**
 * A change that cannot be made as asked, with one sentence saying why (e.g. the app places by
 * selector, or the commit to revert is a merge). Nothing was committed. Subclasses say more
 * precisely what went wrong, so callers can map them to a status.
 */
public class ChangeRefused extends RuntimeException {
  public ChangeRefused(String message) {
    super(message);
  }

  public ChangeRefused(String message, Throwable cause) {
    super(message, cause);
  }
}
