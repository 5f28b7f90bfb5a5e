package ogp.reconciler.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.TokenGrant;
import ogp.reconciler.auth.TokenVerifier;
import ogp.reconciler.control.FleetReadModel;
import ogp.reconciler.control.RevisionSummary;

/**
 * The read API and refresh of SPEC §5.1, plus /healthz and /readyz (open; /readyz tells anonymous
 * callers only whether it is ready and a reason word, its detail only to API tokens). Every {@code
 * /api} route needs {@code Authorization: Bearer <token>} with an API token ({@link Role}). A call
 * is a {@link Permission} by its method and path: every {@code GET} (including the watch and the
 * events) is {@link Permission#READ}, {@code POST /api/v1/refresh} is {@link Permission#REFRESH},
 * an app's {@code deploy}, {@code offline}/{@code online} and {@code rollback} are {@link
 * Permission#DEPLOY}, {@link Permission#SET_STATE} and {@link Permission#ROLLBACK} (a deploy with
 * hosts is also {@link Permission#PLACE}, checked by {@link ChangeRoutes}), anything else is {@link
 * Permission#ANYTHING_ELSE}; {@link Permission} says which role each needs. No token or one that is
 * unknown, revoked, expired or a join token: 401. A role too low: 403 naming the role needed, and
 * nothing changes. The presented token is never logged nor echoed. Errors are JSON {@code {"error":
 * "..."}}.
 */
public final class ApiRoutes {
  /** The request attribute holding the caller's {@link TokenGrant} on every {@code /api} route. */
  static final String GRANT = "ogp.token-grant";

  private static final Pattern APP_POSTS =
      Pattern.compile("/api/v1/apps/[^/]+/(deploy|offline|online|rollback)");

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

  private final FleetReadModel fleet;
  private final Runnable refresh;
  private final BiPredicate<String, String> confirmHeld;
  private final TokenVerifier tokens;

  /**
   * @param fleet what the read routes show
   * @param refresh asks for a fetch from Git now ({@code POST /api/v1/refresh})
   * @param confirmHeld applies the held revision named by the first argument, confirmed by the
   *     token named by the second; false when that revision is not the one held
   */
  public ApiRoutes(
      FleetReadModel fleet,
      Runnable refresh,
      BiPredicate<String, String> confirmHeld,
      TokenVerifier tokens) {
    this.fleet = fleet;
    this.refresh = refresh;
    this.confirmHeld = confirmHeld;
    this.tokens = tokens;
  }

  /** Adds the routes, the bearer check and the JSON error mapping to a Javalin configuration. */
  public void register(JavalinConfig config) {
    var routes = config.routes;
    routes.get("/healthz", ctx -> ctx.result("ok\n"));
    routes.get("/readyz", this::ready);
    routes.before("/api/*", ctx -> requireToken(tokens, ctx));
    routes.get("/api/v1/revision", ctx -> ctx.json(RevisionSummary.of(fleet.source())));
    routes.get("/api/v1/apps", ctx -> ctx.json(fleet.apps()));
    routes.get("/api/v1/apps/{app}", this::app);
    routes.get("/api/v1/hosts", ctx -> ctx.json(fleet.hosts()));
    routes.post("/api/v1/refresh", this::refresh);
    routes.post("/api/v1/revision/confirm", this::confirm);
    routes.after("/api/*", ApiRoutes::readUnreadBody);
    routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
    routes.exception(Forbidden.class, (e, ctx) -> forbidden(ctx, e.getMessage(), e.needed));
    // Every client of /api reads JSON, whatever it sends as Accept (curl sends */*).
    routes.error(
        404,
        ctx -> {
          boolean api = ctx.path().equals("/api") || ctx.path().startsWith("/api/");
          String type = ctx.res().getContentType();
          if (api
              && (type == null
                  || !type.startsWith(
                      "application/json"))) { // an API 404 of our own is JSON already
            error(
                ctx,
                HttpStatus.NOT_FOUND,
                "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see docs/api.md)");
          }
        });
  }

  /**
   * The bearer check of every {@code /api} route: 401 without a valid API token, 403 when its role
   * may not make the call; the caller's grant is left on the request.
   */
  static void requireToken(TokenVerifier tokens, Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(
          HttpStatus.UNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)");
    }
    TokenGrant grant =
        tokens
            .verify(header.substring(7).strip())
            .filter(g -> g.role().callsApi()) // a join token admits agents, nothing else
            .orElseThrow(
                () ->
                    new ApiError(
                        HttpStatus.UNAUTHORIZED,
                        "the bearer token is not valid (unknown, revoked or expired)"));
    ctx.attribute(GRANT, grant);
    require(ctx, permission(ctx.method().name(), ctx.path()));
  }

  /** What a call is by its method and path; body-dependent needs are checked by the route. */
  static Permission permission(String method, String path) {
    if (method.equals("GET") || method.equals("HEAD")) return Permission.READ;
    if (method.equals("POST")) {
      if (path.equals("/api/v1/refresh")) return Permission.REFRESH;
      if (path.equals("/api/v1/revision/confirm")) return Permission.CONFIRM_REVISION;
      Matcher app = APP_POSTS.matcher(path);
      if (app.matches()) {
        return switch (app.group(1)) {
          case "deploy" -> Permission.DEPLOY;
          case "rollback" -> Permission.ROLLBACK;
          default -> Permission.SET_STATE; // offline, online
        };
      }
    }
    return Permission.ANYTHING_ELSE;
  }

  /** The caller of an {@code /api} route. */
  static TokenGrant caller(Context ctx) {
    return ctx.attribute(GRANT);
  }

  /** Refuses the call with 403 unless the caller's role allows {@code permission}. */
  static void require(Context ctx, Permission permission) {
    TokenGrant grant = caller(ctx);
    if (permission.allows(grant.role())) return;
    throw new Forbidden(grant, permission.needs());
  }

  /**
   * {@code /readyz} is open, for load balancers and probes: anonymous callers learn only whether
   * the server is ready and a reason word; the fetch's error (hosts, paths, Git's messages) is
   * added for a caller with a token that may read the API.
   */
  private void ready(Context ctx) {
    Optional<FleetReadModel.NotReady> notReady = fleet.notReady();
    if (notReady.isEmpty()) {
      ctx.json(Map.of("ready", true));
      return;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ready", false);
    out.put("reason", notReady.get().reason());
    if (mayRead(ctx.header("Authorization"))) out.put("detail", notReady.get().detail());
    ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(out);
  }

  private boolean mayRead(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
      return false;
    return tokens
        .verify(authorization.substring(7).strip())
        .filter(g -> g.role().callsApi() && Permission.READ.allows(g.role()))
        .isPresent();
  }

  private void app(Context ctx) {
    String name = ctx.pathParam("app");
    ctx.json(
        fleet
            .app(name)
            .orElseThrow(
                () ->
                    new ApiError(
                        HttpStatus.NOT_FOUND,
                        "no app named '" + name + "' in the applied revision")));
  }

  private void refresh(Context ctx) {
    refresh.run();
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("status", "refresh requested"));
  }

  /**
   * {@code {"revision": sha}}: applies the held revision if it is still that one (202), else 409
   * saying which revision is held, if any. The confirmation is for that commit only.
   */
  private void confirm(Context ctx) {
    String revision =
        ChangeRoutes.optionalString(ChangeRoutes.body(ctx), "revision")
            .orElseThrow(
                () ->
                    new ApiError(
                        HttpStatus.BAD_REQUEST,
                        "\"revision\" is required: the full sha of the held revision (GET"
                            + " /api/v1/revision shows it as held.revision)"));
    if (!SHA.matcher(revision).matches()) {
      throw new ApiError(
          HttpStatus.BAD_REQUEST,
          "\"revision\" must be a full commit sha (40 lowercase hex digits)");
    }
    if (!confirmHeld.test(revision, caller(ctx).name())) {
      String now =
          fleet
              .source()
              .held()
              .map(h -> "the held revision is " + h.revision() + " (a newer commit replaced it)")
              .orElse("no revision is held");
      throw new ApiError(
          HttpStatus.CONFLICT,
          "revision " + revision + " is not held, nothing was applied: " + now);
    }
    ctx.status(HttpStatus.ACCEPTED)
        .json(Map.of("status", "confirmed; the revision is being applied", "revision", revision));
  }

  /** The most of an unread request body {@link #readUnreadBody} reads before answering. */
  static final int UNREAD_BODY_LIMIT = 1 << 20;

  /**
   * Reads and drops what is left of the request body, at most {@value #UNREAD_BODY_LIMIT} bytes,
   * before the answer goes out: a server that closes a connection with input unread resets it, and
   * a client still sending its body may then never see the answer (a refused 50 KB POST lost its
   * 401 that way, one in forty). A longer body gets {@code Connection: close} instead.
   */
  public static void readUnreadBody(Context ctx) {
    try {
      InputStream in = ctx.req().getInputStream();
      byte[] buffer = new byte[8192];
      long left = UNREAD_BODY_LIMIT;
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) != -1) {
        left -= n;
      }
      if (left == 0 && in.read() != -1) ctx.header("Connection", "close");
    } catch (IOException | IllegalStateException e) {
      // The client went away, or the body was read as text: nothing is left to read.
    }
  }

  /** A 403 naming the least role that may do what was asked. */
  static void forbidden(Context ctx, String message, Role needed) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("error", message);
    out.put("requiredRole", needed.label());
    ctx.status(HttpStatus.FORBIDDEN).json(out);
  }

  static void error(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }

  /** A call that needs a higher role than the caller's token has. */
  static final class Forbidden extends RuntimeException {
    final Role needed;

    Forbidden(TokenGrant grant, Role needed) {
      super(
          "the token '"
              + grant.name()
              + "' has role "
              + grant.role().label()
              + "; this needs role "
              + needed.label());
      this.needed = needed;
    }
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
