package ogp.reconciler.changes;

/**
 * Told of every change commit that landed on the followed branch, after it landed, on the
 * committing thread. The server turns rollbacks into events; a listener must return fast and never
 * throw (failures are logged and ignored).
 */
@FunctionalInterface
public interface CommitListener {
  /** What a change was. */
  enum Kind {
    DEPLOY,
    OFFLINE,
    ONLINE,
    ROLLBACK
  }

  CommitListener NONE = (kind, app, result, actor) -> {};

  void committed(Kind kind, String app, ChangeResult result, Actor actor);
}
