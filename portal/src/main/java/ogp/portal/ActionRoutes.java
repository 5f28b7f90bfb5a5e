package ogp.portal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import ogp.portal.auth.PortalSession;
import ogp.portal.auth.PortalUser;
import ogp.portal.changes.ChangeForm;
import ogp.portal.changes.ChangeRefusal;
import ogp.portal.changes.ChangeRequest;
import ogp.portal.changes.FleetChanges;
import ogp.portal.view.Assets;
import ogp.portal.view.CommitLine;
import ogp.portal.view.DiffLine;
import ogp.portal.view.Views;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.changes.ChangeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app page's actions, in two steps so nobody commits blind: {@code POST
 * /apps/{app}/preview/{kind}} answers with the diff of the commit the change would make and a
 * confirm form carrying the same values; {@code POST /apps/{app}/actions/{kind}} makes the commit,
 * authored by the signed-in user, and returns to the app page with the new sha (or the reason it
 * was refused). Both are CSRF-checked and need the role of the change.
 *
 * <p>The preview answers with the dialog fragment for htmx requests, and with a whole confirm page
 * otherwise, so the forms also work without JavaScript.
 */
final class ActionRoutes {
  private static final Logger log = LoggerFactory.getLogger(ActionRoutes.class);

  private final FleetChanges changes;
  private final Views views;
  private final Assets assets;

  ActionRoutes(FleetChanges changes, Views views, Assets assets) {
    this.changes = changes;
    this.views = views;
    this.assets = assets;
  }

  void register(RoutesConfig routes, Gate gate) {
    routes.post(
        "/apps/{app}/preview/{kind}", gate.form(Permission.leastForAChange(), this::preview));
    routes.post("/apps/{app}/actions/{kind}", gate.form(Permission.leastForAChange(), this::apply));
  }

  private void preview(Context ctx, PortalUser user) {
    String app = ctx.pathParam("app");
    ChangeRequest change = allowedChange(ctx, user);
    if (change == null) return;
    String diff = null;
    String error = null;
    int status = 200;
    try {
      diff = changes.preview(change, user);
    } catch (ChangeRefusal e) {
      error = e.getMessage();
      status = e.status();
    }
    ctx.status(status);
    Map<String, Object> model =
        Map.of(
            "assets",
            assets,
            "app",
            app,
            "title",
            change.title(),
            "kind",
            ChangeForm.kind(change),
            "fields",
            ChangeForm.fields(change),
            "diff",
            diff == null ? List.of() : DiffLine.of(diff),
            "empty",
            diff != null && diff.isBlank(),
            "error",
            error == null ? "" : error,
            "author",
            user.name() + " <" + user.email() + ">",
            "csrf",
            PortalSession.csrfToken(ctx).orElse(""));
    if (ctx.header("HX-Request") != null) views.fragment(ctx, "action", "dialog", model);
    else views.page(ctx, "action", model);
  }

  private void apply(Context ctx, PortalUser user) {
    String app = ctx.pathParam("app");
    ChangeRequest change = allowedChange(ctx, user);
    if (change == null) return;
    try {
      ChangeResult result = changes.apply(change, user);
      log.info("portal: {} by {}: {}", change.title(), user.name(), result.message());
      Layout.flash(
          ctx,
          result
              .commit()
              .map(
                  sha ->
                      "Committed "
                          + CommitLine.shortSha(sha)
                          + " as "
                          + user.name()
                          + ": "
                          + result.subject())
              .orElse(change.title() + ": nothing to change. " + result.message()),
          false);
    } catch (ChangeRefusal e) {
      log.info("portal: {} by {} refused: {}", change.title(), user.name(), e.getMessage());
      Layout.flash(
          ctx, change.title() + " was refused, nothing was committed: " + e.getMessage(), true);
    }
    ctx.redirect(
        "/apps/" + java.net.URLEncoder.encode(app, java.nio.charset.StandardCharsets.UTF_8),
        io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /**
   * The posted change if it is well-formed and the user's role allows it; else answers the request
   * and returns null.
   */
  private static ChangeRequest allowedChange(Context ctx, PortalUser user) {
    ChangeRequest change;
    try {
      change = ChangeForm.parse(ctx.pathParam("kind"), ctx.pathParam("app"), ctx.formParamMap());
    } catch (ChangeRefusal e) {
      ctx.status(e.status()).result(e.getMessage());
      return null;
    }
    Permission permission = ChangeForm.permission(change);
    if (!user.may(permission)) {
      Gate.forbidden(ctx, user, permission.needs());
      return null;
    }
    return change;
  }
}
