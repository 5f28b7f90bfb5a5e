package ogp.portal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import ogp.portal.auth.CsrfGuard;
import ogp.portal.auth.LoginCsrfCookie;
import ogp.portal.auth.LoginThrottle;
import ogp.portal.auth.PortalSession;
import ogp.portal.auth.UserDirectory;
import ogp.portal.view.Assets;
import ogp.portal.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in and sign-out. The login form is CSRF-protected like every other form; as no session
 * exists before sign-in, its token lives in a signed cookie ({@link LoginCsrfCookie}). Every
 * attempt passes the {@link LoginThrottle} (429 or 503 with {@code Retry-After}); a successful one
 * starts a new session. After login the user goes back to the page they asked for, but only to a
 * path on this server ({@link #safeNext}: no open redirect).
 */
final class LoginRoutes {
  private static final Logger log = LoggerFactory.getLogger(LoginRoutes.class);
  private static final String HOME = "/apps";
  private static final int MAX_NEXT = 2000;

  private final UserDirectory users;
  private final PortalSession sessions;
  private final LoginCsrfCookie csrfCookie;
  private final LoginThrottle throttle;
  private final Views views;
  private final Assets assets;

  LoginRoutes(
      UserDirectory users,
      PortalSession sessions,
      LoginCsrfCookie csrfCookie,
      LoginThrottle throttle,
      Views views,
      Assets assets) {
    this.users = users;
    this.sessions = sessions;
    this.csrfCookie = csrfCookie;
    this.throttle = throttle;
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
            "csrf", csrfCookie.issue(ctx),
            "next",
                safeNext(
                    ctx.queryParam("next") != null
                        ? ctx.queryParam("next")
                        : ctx.formParam("next")),
            "error", error == null ? "" : error,
            "name", Optional.ofNullable(ctx.formParam("name")).orElse("")));
  }

  private void login(Context ctx) throws InterruptedException {
    String refusal = CsrfGuard.refusal(ctx, csrfCookie.token(ctx).orElse(null));
    if (refusal != null) {
      form(ctx, "Refused: " + refusal, 403);
      return;
    }
    String name = ctx.formParam("name");
    Optional<LoginThrottle.Refusal> limited = throttle.admit(ctx.ip(), name);
    if (limited.isPresent()) {
      refuse(ctx, limited.get());
      return;
    }
    Optional<Optional<UserDirectory.SignedIn>> checked =
        throttle.check(() -> users.authenticate(name, ctx.formParam("password")));
    if (checked.isEmpty()) {
      refuse(ctx, throttle.busy());
      return;
    }
    if (checked.get().isEmpty()) {
      log.info("portal login failed for {} from {}", loggable(name), ctx.ip());
      form(ctx, "Wrong user name or password.", 401);
      return;
    }
    UserDirectory.SignedIn signedIn = checked.get().get();
    sessions.signIn(ctx, signedIn);
    csrfCookie.clear(ctx);
    log.info("portal login: {} ({})", signedIn.user().name(), signedIn.user().role().label());
    ctx.redirect(safeNext(ctx.formParam("next")));
  }

  private void refuse(Context ctx, LoginThrottle.Refusal refusal) {
    log.info(
        "portal login refused for {} from {}: {}",
        loggable(ctx.formParam("name")),
        ctx.ip(),
        refusal.message());
    ctx.header("Retry-After", Long.toString(refusal.retryAfterSeconds()));
    form(ctx, refusal.message(), refusal.status());
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

  /** A user name as typed, for the log only when it could be a user's name (never raw input). */
  private static String loggable(String name) {
    if (name == null) return "no name";
    return name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
        ? "'" + name + "'"
        : "a name that is no user's (" + name.length() + " characters)";
  }

  /**
   * Where to go after sign-in: {@code next} when it is a path on this server, else {@value #HOME}.
   * Accepted: printable ASCII only (no control character — browsers drop tab, CR and LF, so {@code
   * /<tab>/evil.example} would become {@code //evil.example} — no space, no backslash, which
   * browsers read as a slash), starting with one {@code /} followed by something other than {@code
   * /}, and parsed as a URI without scheme or authority. The answer is rebuilt from the parsed path
   * and query.
   */
  static String safeNext(String next) {
    if (next == null || next.length() < 2 || next.length() > MAX_NEXT) return HOME;
    for (int i = 0; i < next.length(); i++) {
      char c = next.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '\\') return HOME;
    }
    if (next.charAt(0) != '/' || next.charAt(1) == '/') return HOME;
    URI uri;
    try {
      uri = new URI(next);
    } catch (URISyntaxException e) {
      return HOME;
    }
    String path = uri.getRawPath();
    if (uri.getScheme() != null
        || uri.getRawAuthority() != null
        || path == null
        || !path.startsWith("/")
        || path.startsWith("//")
        || path.startsWith("/login")) return HOME;
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }
}
