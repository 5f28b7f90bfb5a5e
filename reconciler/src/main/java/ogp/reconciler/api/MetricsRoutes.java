package ogp.reconciler.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import ogp.reconciler.auth.SecretToken;

/**
 * The server's meter registry and {@code GET /metrics} in Prometheus text format. Every component
 * registers its meters here; JVM and process meters are bound at start.
 *
 * <p>Open by default (SPEC §5, like /healthz). With a metrics token ({@code --metrics-token-file},
 * the file Prometheus reads as {@code authorization.credentials_file}) a scrape must present it as
 * {@code Authorization: Bearer <token>}, compared in constant time; anything else gets 401 and no
 * meters. That token opens /metrics only, not the API.
 */
public final class MetricsRoutes {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Optional<SecretToken> token;

  /** Open metrics. */
  public MetricsRoutes() {
    this(Optional.empty());
  }

  /**
   * @param token the bearer token a scrape must present; empty: open
   */
  public MetricsRoutes(Optional<SecretToken> token) {
    this.token = token;
    bindJvmMeters();
  }

  private void bindJvmMeters() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void register(JavalinConfig config) {
    config.routes.get(
        "/metrics",
        ctx -> {
          if (token.isPresent() && !token.get().matches(bearer(ctx.header("Authorization")))) {
            ctx.status(HttpStatus.UNAUTHORIZED)
                .header("WWW-Authenticate", "Bearer")
                .result("metrics need the bearer token of --metrics-token-file\n");
            return;
          }
          ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
        });
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
      return null;
    return authorization.substring(7).strip();
  }
}
