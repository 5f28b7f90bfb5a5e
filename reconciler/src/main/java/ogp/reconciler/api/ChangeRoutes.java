package ogp.reconciler.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.changes.Actor;
import ogp.reconciler.changes.ChangeBusy;
import ogp.reconciler.changes.ChangeConflict;
import ogp.reconciler.changes.ChangeRefused;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.changes.HistoryEntry;
import ogp.reconciler.changes.InvalidChange;
import ogp.reconciler.changes.NotLeader;
import ogp.reconciler.changes.RollbackForbidden;
import ogp.reconciler.changes.UnknownApp;
import ogp.reconciler.source.GitSourceException;

/**
 * The change routes of SPEC §5.4 and the history of §5.1, under the {@code /api} bearer check that
 * {@link ApiRoutes} installs. Every refusal is one sentence in {@code {"error": ...}}: bad JSON or
 * wrong types 400, unknown app or commit 404, conflict 409, invalid result 422 (with {@code
 * errors}), Git unreachable 502, change queue full 503, a rollback beyond the caller's role 403
 * (with {@code requiredRole}, as {@link ApiRoutes} refuses a role too low); never a 500 for a
 * client's mistake. A change acts as its token: the token's name is the commit author and the
 * {@code Ogp-Actor} trailer (e.g. {@code admin}, or {@code jenkins} for a token named jenkins).
 * Changing an app's hosts is {@link Permission#PLACE}, as in the portal. A deploy may carry a
 * {@code message}: the commit's subject instead of {@code Deploy <app> <version>} (a CI build's
 * own).
 */
public final class ChangeRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChangeService changes;

  public ChangeRoutes(ChangeService changes) {
    this.changes = changes;
  }

  public void register(JavalinConfig config) {
    var routes = config.routes;
    routes.post(
        "/api/v1/apps/{app}/deploy",
        ctx -> {
          JsonNode body = body(ctx);
          Optional<String> version = optionalString(body, "version");
          Optional<List<String>> hosts = optionalStrings(body, "hosts");
          if (version.isEmpty() && hosts.isEmpty()) {
            throw new ApiRoutes.ApiError(
                HttpStatus.BAD_REQUEST,
                "give \"version\" (a string), \"hosts\" (a list of strings) or both");
          }
          Optional<String> message = optionalString(body, "message");
          if (hosts.isPresent()) ApiRoutes.require(ctx, Permission.PLACE);
          respond(ctx, changes.deploy(ctx.pathParam("app"), version, hosts, actor(ctx), message));
        });
    routes.post(
        "/api/v1/apps/{app}/offline",
        ctx -> respond(ctx, changes.offline(ctx.pathParam("app"), actor(ctx))));
    routes.post(
        "/api/v1/apps/{app}/online",
        ctx -> respond(ctx, changes.online(ctx.pathParam("app"), actor(ctx))));
    routes.post(
        "/api/v1/apps/{app}/rollback",
        ctx -> {
          Optional<String> commit = optionalString(body(ctx), "commit");
          respond(
              ctx,
              changes.rollback(
                  ctx.pathParam("app"), commit, actor(ctx), ApiRoutes.caller(ctx).role()));
        });
    routes.get(
        "/api/v1/apps/{app}/history",
        ctx -> ctx.json(history(changes.history(ctx.pathParam("app")))));
    routes.exception(
        InvalidChange.class,
        (e, ctx) -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("error", e.getMessage());
          out.put("errors", e.errors().stream().map(Object::toString).toList());
          ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(out);
        });
    routes.exception(
        UnknownApp.class, (e, ctx) -> ApiRoutes.error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
    routes.exception(
        RollbackForbidden.class, (e, ctx) -> ApiRoutes.forbidden(ctx, e.getMessage(), e.needed()));
    routes.exception(
        ChangeConflict.class,
        (e, ctx) -> ApiRoutes.error(ctx, HttpStatus.CONFLICT, e.getMessage()));
    routes.exception(
        ChangeBusy.class,
        (e, ctx) -> ApiRoutes.error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
    routes.exception(
        NotLeader.class,
        (e, ctx) -> {
          ctx.header("Retry-After", "1"); // a standby leads within seconds
          ApiRoutes.error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        });
    routes.exception(
        ChangeRefused.class,
        (e, ctx) -> ApiRoutes.error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
    routes.exception(
        GitSourceException.class,
        (e, ctx) -> ApiRoutes.error(ctx, HttpStatus.BAD_GATEWAY, e.getMessage()));
  }

  private static Actor actor(Context ctx) {
    return Actor.token(ApiRoutes.caller(ctx).name());
  }

  private static void respond(Context ctx, ChangeResult result) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commit", result.commit().orElse(null));
    out.put("subject", result.subject());
    out.put("message", result.message());
    ctx.json(out);
  }

  private static List<Map<String, Object>> history(List<HistoryEntry> entries) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (HistoryEntry e : entries) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sha", e.sha());
      m.put("author", e.authorName());
      m.put("authorEmail", e.authorEmail());
      m.put("date", e.date().toString());
      m.put("subject", e.subject());
      m.put("versionBefore", e.versionBefore().orElse(null));
      m.put("versionAfter", e.versionAfter().orElse(null));
      out.add(m);
    }
    return out;
  }

  /**
   * The JSON object of the request; an empty body is an empty object. JSON is UTF-8 (RFC 8259), so
   * the body is read as UTF-8 whatever charset the Content-Type names: an unknown one (a client's
   * {@code charset=utf-42}) must not make the request fail with 500.
   */
  static JsonNode body(Context ctx) {
    String text = new String(ctx.bodyAsBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (text.isBlank()) return JSON.createObjectNode();
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject())
        throw new ApiRoutes.ApiError(
            HttpStatus.BAD_REQUEST, "the request body must be a JSON object");
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ApiRoutes.ApiError(HttpStatus.BAD_REQUEST, "the request body is not valid JSON");
    }
  }

  static Optional<String> optionalString(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) return Optional.empty();
    if (!value.isTextual())
      throw new ApiRoutes.ApiError(HttpStatus.BAD_REQUEST, "\"" + field + "\" must be a string");
    return Optional.of(value.asText());
  }

  private static Optional<List<String>> optionalStrings(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) return Optional.empty();
    List<String> out = new ArrayList<>();
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (!item.isTextual()) break;
        out.add(item.asText());
      }
      if (out.size() == value.size()) return Optional.of(out);
    }
    throw new ApiRoutes.ApiError(
        HttpStatus.BAD_REQUEST, "\"" + field + "\" must be a list of strings");
  }
}
