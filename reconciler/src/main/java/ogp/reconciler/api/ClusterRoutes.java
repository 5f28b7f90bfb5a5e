package ogp.reconciler.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Objects;
import java.util.function.Supplier;
import ogp.reconciler.auth.TokenVerifier;

/**
 * {@code GET /api/v1/cluster}: the replicas, the leader, its epoch and this replica's lease age
 * ({@link ClusterStatus}), a read like any other ({@code viewer} and up). Registered next to {@link
 * ApiRoutes} on a server that runs the API (whose bearer check covers it), or {@link #registerAlone
 * alone} on a replica that does not lead, with the same check and JSON errors.
 */
public final class ClusterRoutes {
  public static final String PATH = "/api/v1/cluster";

  private final Supplier<ClusterStatus> status;

  /**
   * @param status read at each call, from memory only (never etcd)
   */
  public ClusterRoutes(Supplier<ClusterStatus> status) {
    this.status = Objects.requireNonNull(status, "status");
  }

  /** Adds the route to a configuration whose {@link ApiRoutes} checks the token. */
  public void register(JavalinConfig config) {
    config.routes.get(PATH, this::answer);
  }

  /**
   * Adds the route with the API's bearer check and error answers, on a server without {@link
   * ApiRoutes} (a standby replica's front).
   */
  public void registerAlone(JavalinConfig config, TokenVerifier tokens) {
    Objects.requireNonNull(tokens, "tokens");
    config.routes.before(PATH, ctx -> ApiRoutes.requireToken(tokens, ctx));
    config.routes.get(PATH, this::answer);
    config.routes.after(PATH, ApiRoutes::readUnreadBody);
    config.routes.exception(
        ApiRoutes.ApiError.class, (e, ctx) -> ApiRoutes.error(ctx, e.status(), e.getMessage()));
    config.routes.exception(
        ApiRoutes.Forbidden.class, (e, ctx) -> ApiRoutes.forbidden(ctx, e.getMessage(), e.needed));
  }

  private void answer(Context ctx) {
    ctx.json(status.get());
  }
}
