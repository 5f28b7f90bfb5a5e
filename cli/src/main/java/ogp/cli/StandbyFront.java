package ogp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import ogp.reconciler.api.ApiRoutes;
import ogp.reconciler.api.ClusterRoutes;
import ogp.reconciler.api.ClusterStatus;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.TokenVerifier;
import ogp.webhook.WebhookRoutes;

/**
 * The HTTP port of a replica that does not lead (docs/ha.md, "HTTP on any replica"): a small server
 * on the port and with the TLS the replica's server would use, answering until it is elected.
 *
 * <p>Policy: {@code /healthz} answers ok, {@code /readyz} answers ready with reason {@code standby}
 * and the leader (a standby serves by redirecting); {@code GET /api/v1/cluster} (viewer token, like
 * every read) and {@code /metrics} are answered here. Webhook deliveries are relayed to the leader
 * ({@link WebhookRelay}), because forges do not follow redirects. Every other request — API reads
 * and writes, the watch, the portal — is answered {@code 307 Temporary Redirect} to the leader's
 * advertised URL with the same path and query: clients keep method and body, and a write is never
 * taken by a replica that cannot commit it. Without a known leader, or while the leader named is
 * this replica (elected, its server still starting), the answer is 503 with {@code Retry-After}.
 * The leader is read from memory at each request, never from etcd.
 */
final class StandbyFront implements AutoCloseable {
  /** What a client waits before it asks again while no leader answers (a failover takes ~1 s). */
  static final String RETRY_AFTER_SECONDS = "2";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Where and how the front listens.
   *
   * @param https the certificate the replica's server would serve; empty: plain HTTP
   * @param strictTransportSecurity add HSTS to every answer (users reach the server over HTTPS)
   * @param webhookMaxBodyBytes the webhook receivers' body cap, also the relay's
   * @param leaderTrust how the leader's HTTPS certificate is verified when relaying; empty: JDK's
   */
  record Settings(
      String bind,
      int port,
      Optional<HttpsConnector> https,
      boolean strictTransportSecurity,
      int webhookMaxBodyBytes,
      Optional<SSLContext> leaderTrust) {
    Settings {
      Objects.requireNonNull(bind, "bind");
      Objects.requireNonNull(https, "https");
      Objects.requireNonNull(leaderTrust, "leaderTrust");
    }
  }

  private final Javalin http;

  private StandbyFront(Javalin http) {
    this.http = http;
  }

  /**
   * Starts the front.
   *
   * @param self this replica's member id (a leader of that id is this replica taking over)
   * @param cluster the cluster as this replica sees it, read at each request
   * @param tokens the API tokens, for {@code /api/v1/cluster}
   * @param metrics this replica's meters, served at {@code /metrics}
   */
  static StandbyFront start(
      Settings s,
      String self,
      Supplier<ClusterStatus> cluster,
      TokenVerifier tokens,
      MetricsRoutes metrics)
      throws IOException, InterruptedException {
    WebhookRelay relay = new WebhookRelay(s.leaderTrust(), s.webhookMaxBodyBytes());
    Supplier<Optional<ClusterStatus.Leader>> leader =
        () -> Optional.ofNullable(cluster.get().leader());
    ClusterRoutes clusterRoutes = new ClusterRoutes(cluster);
    Javalin http =
        PortInUse.explained(
            "--http-port",
            s.bind(),
            s.port(),
            () ->
                Javalin.create(
                        config -> {
                          config.jsonMapper(new JavalinJackson(JSON, false));
                          config.jetty.host = s.bind();
                          config.jetty.port = s.port();
                          config.startup.showJavalinBanner = false;
                          if (s.https().isPresent()) install(s.https().get(), config, s);
                          if (s.strictTransportSecurity()) StrictTransportSecurity.register(config);
                          // Served here; registered before the catch-all, which they win over.
                          config.routes.get("/healthz", ctx -> ctx.result("ok\n"));
                          config.routes.get("/readyz", ctx -> ready(ctx, leader.get()));
                          clusterRoutes.registerAlone(config, tokens);
                          metrics.register(config);
                          for (String path : WebhookRoutes.paths())
                            config.routes.post(
                                path, ctx -> relay.relay(ctx, leaderUrl(self, leader.get())));
                          // A redirected request's body is read and dropped before the answer: a
                          // connection closed with input unread is reset, losing the 307.
                          config.routes.after(ApiRoutes::readUnreadBody);
                          for (HandlerType method : REDIRECTED) {
                            config.routes.addHttpHandler(
                                method, "/", ctx -> redirect(ctx, self, leader.get()));
                            config.routes.addHttpHandler(
                                method, "/*", ctx -> redirect(ctx, self, leader.get()));
                          }
                        })
                    .start());
    return new StandbyFront(http);
  }

  private static final List<HandlerType> REDIRECTED =
      List.of(
          HandlerType.GET,
          HandlerType.HEAD,
          HandlerType.POST,
          HandlerType.PUT,
          HandlerType.PATCH,
          HandlerType.DELETE,
          HandlerType.OPTIONS);

  int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.stop();
  }

  /** A standby is ready: it serves by redirecting, and says to whom. */
  private static void ready(Context ctx, Optional<ClusterStatus.Leader> leader) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ready", true);
    out.put("reason", "standby");
    out.put("leader", leader.orElse(null));
    ctx.json(out);
  }

  /** The leader's base URL, unless none is known or it is this replica still starting. */
  private static Optional<URI> leaderUrl(String self, Optional<ClusterStatus.Leader> leader) {
    return leader.filter(l -> !l.id().equals(self)).map(l -> URI.create(l.httpUrl()));
  }

  private static void redirect(Context ctx, String self, Optional<ClusterStatus.Leader> leader) {
    if (leader.isEmpty()) {
      unavailable(ctx, "no leader elected yet");
      return;
    }
    if (leader.get().id().equals(self)) {
      unavailable(ctx, "this replica was elected and is starting; try again in a moment");
      return;
    }
    String query = ctx.queryString();
    String location =
        leader.get().httpUrl().replaceAll("/+$", "")
            + ctx.path()
            + (query == null ? "" : "?" + query);
    ctx.status(307).header("Location", location).json(Map.of("leader", location));
  }

  /** 503 with Retry-After and a JSON error: no leader can take the request now. */
  static void unavailable(Context ctx, String message) {
    ctx.status(503).header("Retry-After", RETRY_AFTER_SECONDS).json(Map.of("error", message));
  }

  private static void install(
      HttpsConnector https, io.javalin.config.JavalinConfig config, Settings s) {
    try {
      https.install(config, s.bind(), s.port());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
