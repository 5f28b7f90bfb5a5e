package ogp.portal.fleet;

/**
 * An admin's confirmation of the revision the server holds because it would remove many of the
 * fleet's containers: the portal's Confirm button. Applies exactly the named revision; false (and
 * nothing changes) when it is no longer the held one.
 */
@FunctionalInterface
public interface RevisionConfirmation {
  /**
   * @param revision the full sha of the held revision
   * @param by the signed-in user, for the server's log
   */
  boolean confirm(String revision, String by);
}
