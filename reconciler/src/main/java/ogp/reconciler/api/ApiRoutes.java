package ogp.reconciler.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.control.Reconciler;
import ogp.reconciler.control.RevisionSummary;

/**
 * The read API and refresh of SPEC §5.1, plus /healthz and /readyz. Every {@code /api} route needs
 * {@code Authorization: Bearer <token>}: the admin token may do everything, the viewer token only
 * read ({@code GET}, including the watch); a viewer's change is refused with 403 and changes
 * nothing. Errors are JSON {@code {"error": "..."}}.
 */
public final class ApiRoutes {
  private final Reconciler reconciler;
  private final SecretToken adminToken;
  private final SecretToken viewerToken;

  public ApiRoutes(Reconciler reconciler, SecretToken adminToken, SecretToken viewerToken) {
    this.reconciler = reconciler;
    this.adminToken = adminToken;
    this.viewerToken = viewerToken;
  }

  /** Adds the routes, the bearer check and the JSON error mapping to a Javalin configuration. */
  public void register(JavalinConfig config) {
    var routes = config.routes;
    routes.get("/healthz", ctx -> ctx.result("ok\n"));
    routes.get("/readyz", this::ready);
    routes.before("/api/*", this::requireToken);
    routes.get("/api/v1/revision", ctx -> ctx.json(RevisionSummary.of(reconciler.source())));
    routes.get("/api/v1/apps", ctx -> ctx.json(reconciler.apps()));
    routes.get("/api/v1/apps/{app}", this::app);
    routes.get("/api/v1/hosts", ctx -> ctx.json(reconciler.hosts()));
    routes.post("/api/v1/refresh", this::refresh);
    routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
    routes.error(404, "application/json", ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) error(ctx, HttpStatus.NOT_FOUND, "no such endpoint: " + ctx.path());
    });
  }

  private void requireToken(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(HttpStatus.UNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)");
    }
    String presented = header.substring(7).strip();
    if (adminToken.matches(presented)) return;
    if (viewerToken.matches(presented)) {
      if (ctx.method().name().equals("GET")) return;
      throw new ApiError(HttpStatus.FORBIDDEN, "the viewer token may only read; changes need the admin token");
    }
    throw new ApiError(HttpStatus.UNAUTHORIZED, "the bearer token is not valid");
  }

  private void ready(Context ctx) {
    String notReady = reconciler.notReadyReason();
    if (notReady == null) {
      ctx.result("ready\n");
    } else {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("not ready: " + notReady + "\n");
    }
  }

  private void app(Context ctx) {
    String name = ctx.pathParam("app");
    ctx.json(
        reconciler
            .app(name)
            .orElseThrow(() -> new ApiError(HttpStatus.NOT_FOUND, "no app named '" + name + "' in the applied revision")));
  }

  private void refresh(Context ctx) {
    reconciler.requestRefresh();
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("status", "refresh requested"));
  }

  static void error(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }

  /** A request the API refuses, with the status and one sentence for the client. */
  public static final class ApiError extends RuntimeException {
    private final HttpStatus status;

    public ApiError(HttpStatus status, String message) {
      super(message);
      this.status = status;
    }

    public HttpStatus status() {
      return status;
    }
  }

}
