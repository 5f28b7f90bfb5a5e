package ogp.reconciler.changes;

/**
 * The app (or the commit named for a rollback) does not exist on the followed branch. Nothing was
 * committed.
 */
public final class UnknownApp extends ChangeRefused {
  public UnknownApp(String message) {
    super(message);
  }
}
