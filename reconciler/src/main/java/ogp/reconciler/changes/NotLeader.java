package ogp.reconciler.changes;

/**
 * The change was not pushed because this replica of a replicated server no longer leads (its
 * leadership was lost or fenced since the change was asked for): nothing was committed; the leader
 * takes the change (HTTP 503, the client may try again).
 */
public final class NotLeader extends ChangeRefused {
  public NotLeader() {
    super("This replica no longer leads; nothing was committed. Try again: the leader takes it.");
  }
}
