package ogp.portal;

import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ogp.portal.auth.PortalSession;
import ogp.portal.auth.PortalUser;
import ogp.portal.fleet.FleetView;
import ogp.portal.view.Ages;
import ogp.portal.view.Assets;
import ogp.portal.view.Chrome;
import ogp.portal.view.CommitLine;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.HeldRevision;
import ogp.reconciler.control.InvalidRevision;
import ogp.reconciler.source.CommitInfo;

/**
 * Builds what every page shows around its content ({@link Chrome}) and keeps the one-time flash
 * message an action leaves for the page it redirects to.
 */
final class Layout {
  private static final String FLASH = "ogp.portal.flash";
  private static final String FLASH_ERROR = "ogp.portal.flash-error";

  private final FleetView fleet;
  private final Assets assets;
  private final Ages ages;

  Layout(FleetView fleet, Assets assets, Ages ages) {
    this.fleet = fleet;
    this.assets = assets;
    this.ages = ages;
  }

  /**
   * A model holding the chrome; pages add their own entries. Only a whole page takes the flash: a
   * live fragment (which never shows it) may be fetched while the browser follows the redirect
   * after an action, and must not use up the message meant for that page.
   */
  Map<String, Object> model(Context ctx, PortalUser user, String active) {
    boolean wholePage = ctx.queryParam("fragment") == null;
    String flash = wholePage ? ctx.consumeSessionAttribute(FLASH) : null;
    Boolean flashError = wholePage ? ctx.consumeSessionAttribute(FLASH_ERROR) : null;
    Map<String, Object> model = new HashMap<>();
    model.put("assets", assets);
    model.put(
        "chrome",
        new Chrome(
            user,
            PortalSession.csrfToken(ctx).orElse(""),
            active,
            applied(),
            invalid(),
            held(user),
            flash,
            Boolean.TRUE.equals(flashError)));
    return model;
  }

  /** Leaves a message for the next page this session renders. */
  static void flash(Context ctx, String message, boolean error) {
    ctx.sessionAttribute(FLASH, message);
    ctx.sessionAttribute(FLASH_ERROR, error);
  }

  private CommitLine applied() {
    AppliedRevision r = fleet.applied().orElse(null);
    if (r == null) return null;
    return new CommitLine(
        r.revision(),
        CommitLine.shortSha(r.revision()),
        r.commit().authorName(),
        r.commit().subject(),
        ages.ago(r.appliedAt()),
        Ages.exact(r.appliedAt()));
  }

  private Chrome.HeldBanner held(PortalUser user) {
    HeldRevision r = fleet.held().orElse(null);
    if (r == null) return null;
    return new Chrome.HeldBanner(
        seen(r.commit(), r.seenAt()),
        r.commit().authorEmail(),
        r.check().reason(),
        user.may(Permission.CONFIRM_REVISION));
  }

  private Chrome.InvalidBanner invalid() {
    InvalidRevision r = fleet.invalid().orElse(null);
    if (r == null) return null;
    List<String> errors = r.errors().stream().map(Object::toString).toList();
    return new Chrome.InvalidBanner(seen(r.commit(), r.seenAt()), r.commit().authorEmail(), errors);
  }

  /** A commit the server saw at {@code at} but did not apply, as a banner shows it. */
  private CommitLine seen(CommitInfo commit, Instant at) {
    return new CommitLine(
        commit.sha(),
        CommitLine.shortSha(commit.sha()),
        commit.authorName(),
        commit.subject(),
        ages.ago(at),
        Ages.exact(at));
  }
}
