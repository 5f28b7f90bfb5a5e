package ogp.portal.changes;

/**
 * A change that was not made, with the HTTP status that says why (404 unknown app or commit, 409
 * conflict with later commits, 422 the result would not validate) and one sentence for the user.
 * Nothing was committed.
 */
public final class ChangeRefusal extends RuntimeException {
  private final int status;

  public ChangeRefusal(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
