package ogp.reconciler.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import ogp.reconciler.api.ApiRoutes.ApiError;
import ogp.reconciler.events.EventLog;

/**
 * {@code GET /api/v1/events[?since=RV][&limit=N]}: the retained events, oldest first, each with its
 * resource version (see {@link EventLog#list}). Default and maximum limit: 1,000 and 10,000.
 */
public final class EventRoutes {
  private static final int DEFAULT_LIMIT = 1_000;
  private static final int MAX_LIMIT = 10_000;
  private final EventLog events;

  public EventRoutes(EventLog events) {
    this.events = events;
  }

  public void register(JavalinConfig config) {
    config.routes.get("/api/v1/events", this::list);
  }

  private void list(Context ctx) {
    Long since = number(ctx, "since");
    Long limit = number(ctx, "limit");
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      throw new ApiError(
          HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT + ": " + limit);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", events.list(since, limit == null ? DEFAULT_LIMIT : limit.intValue()));
    ctx.json(body);
  }

  private static Long number(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isBlank()) return null;
    try {
      return Long.parseLong(raw.strip());
    } catch (NumberFormatException e) {
      throw new ApiError(HttpStatus.BAD_REQUEST, name + " must be a number: '" + raw + "'");
    }
  }
}
