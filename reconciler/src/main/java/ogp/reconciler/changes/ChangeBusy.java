package ogp.reconciler.changes;

/**
 * The server's change queue is full: the change was not taken, nothing was committed, and the
 * caller may try again shortly (HTTP 503).
 */
public final class ChangeBusy extends ChangeRefused {
  public ChangeBusy(String message) {
    super(message);
  }
}
