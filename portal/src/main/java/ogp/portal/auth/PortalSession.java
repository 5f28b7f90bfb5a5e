package ogp.portal.auth;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpSession;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * What the portal keeps in the servlet session, and the check of it on every request. A session
 * exists only for a signed-in user (the login form's CSRF token lives in a {@link LoginCsrfCookie}
 * instead), and holds the user's name, the {@link UserDirectory.SignedIn#credential() fingerprint}
 * of the credential they signed in with, when they signed in, and the session's CSRF token.
 *
 * <p>Policy: every request asks the {@link UserDirectory} again, so removing a user from {@code
 * users.yaml}, changing their password, or revoking the admin token they signed in with ends the
 * session at its next request, and a changed role applies at once. A session ends {@link #lifetime}
 * after sign-in however active it is (besides the idle timeout of the servlet session). Signing in
 * always starts a new session (new id: no session fixation); signing out invalidates it. The cookie
 * itself is set up by {@code PortalRoutes}.
 */
public final class PortalSession {
  /** How long a session lives after sign-in, however active, unless configured otherwise. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofHours(12);

  private static final String NAME = "ogp.portal.name";
  private static final String CREDENTIAL = "ogp.portal.credential";
  private static final String SIGNED_IN_AT = "ogp.portal.signedInAt";
  private static final String CSRF = "ogp.portal.csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final UserDirectory users;
  private final Clock clock;
  private final Duration lifetime;

  public PortalSession(UserDirectory users, Clock clock, Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero())
      throw new IllegalArgumentException("the session lifetime must be positive");
    this.users = users;
    this.clock = clock;
    this.lifetime = lifetime;
  }

  /**
   * The signed-in user as the directory has them now; empty (and the session ended) when there is
   * no session, it outlived {@link #lifetime}, or the directory no longer accepts its credential.
   */
  public Optional<PortalUser> user(Context ctx) {
    HttpSession session = ctx.req().getSession(false);
    if (session == null) return Optional.empty();
    Object name = session.getAttribute(NAME);
    Object credential = session.getAttribute(CREDENTIAL);
    Object since = session.getAttribute(SIGNED_IN_AT);
    Optional<PortalUser> user =
        name instanceof String n
                && credential instanceof String c
                && since instanceof Instant at
                && clock.instant().isBefore(at.plus(lifetime))
            ? users.recheck(n, c)
            : Optional.empty();
    if (user.isEmpty()) invalidate(session);
    return user;
  }

  /** Starts a new session for the user (any earlier one of this browser ends). */
  public void signIn(Context ctx, UserDirectory.SignedIn signedIn) {
    HttpSession old = ctx.req().getSession(false);
    if (old != null) invalidate(old);
    HttpSession session = ctx.req().getSession(true);
    session.setAttribute(NAME, signedIn.user().name());
    session.setAttribute(CREDENTIAL, signedIn.credential());
    session.setAttribute(SIGNED_IN_AT, clock.instant());
    session.setAttribute(CSRF, newToken());
  }

  public static void signOut(Context ctx) {
    HttpSession session = ctx.req().getSession(false);
    if (session != null) invalidate(session);
  }

  /** The CSRF token of the signed-in session; empty without a session (never creates one). */
  public static Optional<String> csrfToken(Context ctx) {
    HttpSession session = ctx.req().getSession(false);
    return session == null
        ? Optional.empty()
        : Optional.ofNullable((String) session.getAttribute(CSRF));
  }

  /** A fresh random token (256 bits, URL-safe Base64). */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void invalidate(HttpSession session) {
    try {
      session.invalidate();
    } catch (IllegalStateException alreadyInvalid) {
      // ended meanwhile by another request of the same browser: nothing left to end
    }
  }
}
