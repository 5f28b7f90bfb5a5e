package ogp.cli;

import io.javalin.config.JavalinConfig;

/**
 * HSTS for a server users reach over HTTPS (its own certificate, or a TLS-terminating proxy named
 * by an https {@code --external-url}): every response of the HTTP server (portal, API, webhooks,
 * health, metrics) tells browsers to use HTTPS only for a year. Not sent over plain HTTP without
 * such a URL, so a development server on {@code http://localhost} never pins a browser to HTTPS.
 */
final class StrictTransportSecurity {
  static final String HEADER = "Strict-Transport-Security";
  static final String VALUE = "max-age=31536000";

  private StrictTransportSecurity() {}

  static void register(JavalinConfig config) {
    config.routes.before(ctx -> ctx.header(HEADER, VALUE));
  }
}
