package ogp.portal.auth;

import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Refuses cross-site form posts. Every state-changing request must carry the session's token in the
 * form field {@value #FIELD} (synchronizer token, compared in constant time; for the login form,
 * which has no session, the token of its signed {@link LoginCsrfCookie}), and when the browser says
 * where the request came from ({@code Origin}, else {@code Referer}) that must be this server (host
 * and port of the {@code Host} header). Either check alone has gaps (old browsers omit Origin; a
 * token could leak through a log); both together are the OWASP recommendation.
 */
public final class CsrfGuard {
  /** The hidden form field every portal form carries. */
  public static final String FIELD = "_csrf";

  private CsrfGuard() {}

  /**
   * Null when the request passes against the signed-in session's token, else one sentence saying
   * why it was refused.
   */
  public static String refusal(Context ctx) {
    return refusal(ctx, PortalSession.csrfToken(ctx).orElse(null));
  }

  /** Null when the request passes against {@code expected} (null: none), else why not. */
  public static String refusal(Context ctx, String expected) {
    String source = ctx.header("Origin");
    if (source == null || source.equals("null")) source = ctx.header("Referer");
    if (source != null && !sameOrigin(source, ctx.header("Host"))) {
      return "the request came from another site (" + source + ")";
    }
    String presented = ctx.formParam(FIELD);
    if (expected == null || presented == null)
      return "the form has no valid CSRF token; reload the page and try again";
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
      return "the form's CSRF token does not match this session; reload the page and try again";
    }
    return null;
  }

  private static boolean sameOrigin(String source, String host) {
    if (host == null) return false;
    try {
      URI uri = URI.create(source);
      if (uri.getHost() == null) return false;
      String authority = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return authority.equalsIgnoreCase(host)
          || (uri.getPort() == -1
              && host.equalsIgnoreCase(
                  uri.getHost() + ":" + ("https".equals(uri.getScheme()) ? 443 : 80)));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
