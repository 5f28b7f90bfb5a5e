package ogp.portal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import ogp.portal.auth.CsrfGuard;
import ogp.portal.auth.PortalSession;
import ogp.portal.auth.PortalUser;
import ogp.portal.auth.UserDirectory;
import ogp.portal.view.Assets;
import ogp.portal.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in and sign-out. The login form is CSRF-protected like every other form (its token lives in
 * the pre-login session; signing in changes the session id). After login the user goes back to the
 * page they asked for, but only to a path on this server (no open redirect).
 */
final class LoginRoutes {
  private static final Logger log = LoggerFactory.getLogger(LoginRoutes.class);

  private final UserDirectory users;
  private final Views views;
  private final Assets assets;

  LoginRoutes(UserDirectory users, Views views, Assets assets) {
    this.users = users;
    this.views = views;
    this.assets = assets;
  }

  void register(RoutesConfig routes) {
    routes.get("/login", ctx -> form(ctx, null, 200));
    routes.post("/login", this::login);
    routes.post("/logout", this::logout);
  }

  private void form(Context ctx, String error, int status) {
    ctx.status(status);
    views.page(
        ctx,
        "login",
        Map.of(
            "assets", assets,
            "csrf", PortalSession.csrfToken(ctx),
            "next",
                safeNext(
                    ctx.queryParam("next") != null
                        ? ctx.queryParam("next")
                        : ctx.formParam("next")),
            "error", error == null ? "" : error,
            "name", Optional.ofNullable(ctx.formParam("name")).orElse("")));
  }

  private void login(Context ctx) {
    String refusal = CsrfGuard.refusal(ctx);
    if (refusal != null) {
      form(ctx, "Refused: " + refusal, 403);
      return;
    }
    Optional<PortalUser> user =
        users.authenticate(ctx.formParam("name"), ctx.formParam("password"));
    if (user.isEmpty()) {
      log.info("portal login failed for '{}' from {}", ctx.formParam("name"), ctx.ip());
      form(ctx, "Wrong user name or password.", 401);
      return;
    }
    PortalSession.signIn(ctx, user.get());
    log.info("portal login: {} ({})", user.get().name(), user.get().role().label());
    ctx.redirect(safeNext(ctx.formParam("next")));
  }

  private void logout(Context ctx) {
    String refusal = CsrfGuard.refusal(ctx);
    if (refusal != null) {
      ctx.status(403).result("Refused: " + refusal);
      return;
    }
    PortalSession.signOut(ctx);
    ctx.redirect("/login");
  }

  /** Only a path on this server; "//host" and "/\host" would leave it. */
  static String safeNext(String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.startsWith("/\\")
        || next.startsWith("/login")) return "/apps";
    return next;
  }
}
