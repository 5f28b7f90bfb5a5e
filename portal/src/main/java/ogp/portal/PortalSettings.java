package ogp.portal;

import java.time.Duration;
import java.util.Objects;
import ogp.portal.auth.LoginThrottle;
import ogp.portal.auth.PortalSession;

/**
 * How the portal guards its sessions and sign-ins.
 *
 * @param secureCookies mark the session and login cookies {@code Secure} whatever the request's
 *     scheme: the portal is reached over HTTPS (the server's own, or a TLS-terminating proxy named
 *     by {@code --external-url https://…})
 * @param sessionIdle a session unused this long ends
 * @param sessionLifetime a session ends this long after sign-in, however active
 * @param loginLimits rate limits and the cap on concurrent password checks of sign-ins
 */
public record PortalSettings(
    boolean secureCookies,
    Duration sessionIdle,
    Duration sessionLifetime,
    LoginThrottle.Limits loginLimits) {
  public PortalSettings {
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(sessionLifetime, "sessionLifetime");
    Objects.requireNonNull(loginLimits, "loginLimits");
  }

  /** 8 hours idle, 12 hours at most, {@link LoginThrottle.Limits#defaults()}, no forced Secure. */
  public static PortalSettings defaults() {
    return new PortalSettings(
        false,
        Duration.ofHours(8),
        PortalSession.DEFAULT_LIFETIME,
        LoginThrottle.Limits.defaults());
  }

  public PortalSettings withSecureCookies(boolean secure) {
    return new PortalSettings(secure, sessionIdle, sessionLifetime, loginLimits);
  }

  public PortalSettings withSessionLifetime(Duration lifetime) {
    return new PortalSettings(secureCookies, sessionIdle, lifetime, loginLimits);
  }

  public PortalSettings withLoginLimits(LoginThrottle.Limits limits) {
    return new PortalSettings(secureCookies, sessionIdle, sessionLifetime, limits);
  }
}
