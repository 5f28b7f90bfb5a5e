package ogp.reconciler.changes;

import ogp.reconciler.auth.Role;

/**
 * A rollback that would change more than the caller's role may change (the API answers 403): the
 * message names the commit, the fields and the role that may. Nothing was committed.
 */
public final class RollbackForbidden extends ChangeRefused {
  private final Role needed;

  public RollbackForbidden(String message, Role needed) {
    super(message);
    this.needed = needed;
  }

  /** The least role that may make this rollback. */
  public Role needed() {
    return needed;
  }
}
