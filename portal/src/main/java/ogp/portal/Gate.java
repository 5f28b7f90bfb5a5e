package ogp.portal;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import ogp.portal.auth.CsrfGuard;
import ogp.portal.auth.PortalSession;
import ogp.portal.auth.PortalUser;
import ogp.reconciler.auth.Role;

/**
 * Access to portal routes. A page needs a signed-in user (else a redirect to the login page, or 401
 * with {@code HX-Redirect} for a fragment request): pages are {@link
 * ogp.reconciler.auth.Permission#READ}, which every user's role allows. A form post is first
 * checked against CSRF (403), then needs a user whose role includes what the route needs (403).
 * Routes receive the user. The user is checked again on every request ({@link PortalSession#user}):
 * a removed user, a changed password, a revoked admin token or an outlived session signs out.
 */
final class Gate {
  /** A route handler that is given the signed-in user. */
  @FunctionalInterface
  interface UserHandler {
    void handle(Context ctx, PortalUser user) throws Exception;
  }

  private final PortalSession sessions;

  Gate(PortalSession sessions) {
    this.sessions = sessions;
  }

  Handler page(UserHandler handler) {
    return ctx -> {
      PortalUser user = sessions.user(ctx).orElse(null);
      if (user == null) {
        toLogin(ctx);
        return;
      }
      handler.handle(ctx, user);
    };
  }

  Handler form(Role needed, UserHandler handler) {
    return ctx -> {
      String refusal = CsrfGuard.refusal(ctx);
      if (refusal != null) {
        ctx.status(403)
            .contentType("text/plain; charset=utf-8")
            .result("Refused: " + refusal + "\n");
        return;
      }
      PortalUser user = sessions.user(ctx).orElse(null);
      if (user == null) {
        toLogin(ctx);
        return;
      }
      if (!user.role().includes(needed)) {
        forbidden(ctx, user, needed);
        return;
      }
      handler.handle(ctx, user);
    };
  }

  static void forbidden(Context ctx, PortalUser user, Role needed) {
    ctx.status(403)
        .contentType("text/plain; charset=utf-8")
        .result(
            "Refused: "
                + user.name()
                + " has role "
                + user.role().label()
                + "; this needs "
                + needed.label()
                + "\n");
  }

  private static void toLogin(Context ctx) {
    if (ctx.header("HX-Request") != null
        || ctx.queryParam("fragment") != null
        || !"GET".equals(ctx.method().name())) {
      ctx.header("HX-Redirect", "/login");
      ctx.status(401).contentType("text/plain; charset=utf-8").result("Sign in first\n");
      return;
    }
    String target = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    ctx.redirect("/login?next=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
  }
}
