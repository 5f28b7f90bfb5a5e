package ogp.portal.auth;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * What the portal keeps in the servlet session: the signed-in user and the session's CSRF token.
 * Signing in changes the session id (no session fixation); signing out invalidates the session. The
 * session cookie itself is HttpOnly and SameSite=Lax (set up by {@code PortalRoutes}).
 */
public final class PortalSession {
  private static final String USER = "ogp.portal.user";
  private static final String CSRF = "ogp.portal.csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private PortalSession() {}

  public static Optional<PortalUser> user(Context ctx) {
    if (ctx.req().getSession(false) == null) return Optional.empty();
    return Optional.ofNullable(ctx.sessionAttribute(USER));
  }

  public static void signIn(Context ctx, PortalUser user) {
    ctx.req().getSession(true);
    ctx.req().changeSessionId();
    ctx.sessionAttribute(USER, user);
    ctx.sessionAttribute(CSRF, newToken()); // a fresh token for the signed-in session
  }

  public static void signOut(Context ctx) {
    var session = ctx.req().getSession(false);
    if (session != null) session.invalidate();
  }

  /** The session's CSRF token, created with the session when there is none yet. */
  public static String csrfToken(Context ctx) {
    String token = ctx.sessionAttribute(CSRF);
    if (token == null) {
      token = newToken();
      ctx.sessionAttribute(CSRF, token);
    }
    return token;
  }

  /** The token of an existing session, without creating one. */
  static Optional<String> existingCsrfToken(Context ctx) {
    if (ctx.req().getSession(false) == null) return Optional.empty();
    return Optional.ofNullable(ctx.sessionAttribute(CSRF));
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
