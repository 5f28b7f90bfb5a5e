package ogp.portal.auth;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The login form's CSRF token, kept in a signed cookie instead of a server-side session, so that
 * showing the login page costs the server no memory (double-submit cookie: the form field must
 * equal the token of a valid cookie).
 *
 * <p>The cookie {@value #NAME} holds {@code token.expiry.signature}: a random token, its expiry
 * (epoch seconds, {@link #LIFETIME} after the page was shown) and an HMAC-SHA256 of both under a
 * key made at server start (a restart only means reloading an open login page). Path {@code
 * /login}, HttpOnly, SameSite=Strict, and Secure when the portal is reached over HTTPS.
 */
public final class LoginCsrfCookie {
  public static final String NAME = "OGP_LOGIN";
  public static final Duration LIFETIME = Duration.ofMinutes(30);
  private static final String PATH = "/login";
  private static final int MAX_LENGTH = 200;

  private final SecretKeySpec key;
  private final Clock clock;
  private final boolean secure;

  public LoginCsrfCookie(byte[] key, Clock clock, boolean secure) {
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.clock = clock;
    this.secure = secure;
  }

  /** With a fresh random key. */
  public static LoginCsrfCookie withRandomKey(Clock clock, boolean secure) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new LoginCsrfCookie(key, clock, secure);
  }

  /** The token of this browser's valid cookie, or a new one set in a fresh cookie. */
  public String issue(Context ctx) {
    Optional<String> current = token(ctx);
    if (current.isPresent()) return current.get();
    String token = PortalSession.newToken();
    long expires = clock.instant().plus(LIFETIME).getEpochSecond();
    String payload = token + "." + expires;
    Cookie cookie =
        new Cookie(
            NAME,
            payload + "." + sign(payload),
            PATH,
            (int) LIFETIME.toSeconds(),
            secure,
            true,
            null,
            SameSite.STRICT);
    ctx.cookie(cookie);
    return token;
  }

  /** The token of the request's cookie if its signature is right and it has not expired. */
  public Optional<String> token(Context ctx) {
    String value = ctx.cookie(NAME);
    if (value == null || value.length() > MAX_LENGTH) return Optional.empty();
    String[] parts = value.split("\\.", -1);
    if (parts.length != 3) return Optional.empty();
    String payload = parts[0] + "." + parts[1];
    if (!MessageDigest.isEqual(
        sign(payload).getBytes(StandardCharsets.US_ASCII),
        parts[2].getBytes(StandardCharsets.US_ASCII))) return Optional.empty();
    try {
      if (Long.parseLong(parts[1]) <= clock.instant().getEpochSecond()) return Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(parts[0]);
  }

  /** Removes the cookie (after a successful sign-in the session's token takes over). */
  public void clear(Context ctx) {
    ctx.cookie(new Cookie(NAME, "", PATH, 0, secure, true, null, SameSite.STRICT));
  }

  private String sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }
}
