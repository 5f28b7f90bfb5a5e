package ogp.portal.view;

import java.util.List;
import ogp.portal.auth.PortalUser;

/**
 * What every page shows around its content: the navigation, the signed-in user, the applied
 * revision, the invalid-revision and held-revision banners, a one-time message after an action, and
 * the CSRF token that every form carries. The head's stylesheet and script URLs are not here: the
 * head reads the model's {@code assets}, which the sign-in and confirm pages (they have no chrome)
 * carry too.
 *
 * @param active the navigation tab to highlight
 * @param flash a message after an action, or null
 * @param flashError whether the flash reports a failure
 */
public record Chrome(
    PortalUser user,
    String csrf,
    String active,
    CommitLine applied,
    InvalidBanner invalid,
    HeldBanner held,
    String flash,
    boolean flashError) {

  /**
   * The revision held because it would remove many containers: shown with its reason until an admin
   * confirms it or a newer commit replaces it.
   *
   * @param canConfirm whether the signed-in user may confirm it (the Confirm button)
   */
  public record HeldBanner(
      CommitLine commit, String authorEmail, String reason, boolean canConfirm) {}

  /** The newest revision that does not validate: never applied, shown until a commit fixes it. */
  public record InvalidBanner(CommitLine commit, String authorEmail, List<String> errors) {}
}
