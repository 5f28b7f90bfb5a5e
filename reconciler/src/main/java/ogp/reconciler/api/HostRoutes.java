package ogp.reconciler.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ogp.protocol.LogText;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.api.ApiRoutes.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's hold on host identities (admin only, as every API call that is not a read, a
 * refresh or an app change; see {@link ApiRoutes#permission}):
 *
 * <ul>
 *   <li>{@code POST /api/v1/hosts/{host}/release}: the host id no longer belongs to the agent
 *       identity that bound it; the next Hello for it binds anew. 404 when it is not bound.
 *   <li>{@code POST /api/v1/hosts/{host}/revoke}: the host's live session is closed with REVOKED;
 *       its Hello, renewal and enrolment are refused, and its identity's key for good (also after a
 *       release, which lets the host id enrol again with a new key). Its containers are left
 *       running. 404 when it is not bound.
 *   <li>{@code PUT /api/v1/hosts/{host}/labels} {@code {"set": {"k": "v"}, "remove": ["k"]}}: the
 *       labels placement uses for the host (an agent's Hello cannot change them). 404 when the host
 *       id is not bound; 400 for a malformed body or label.
 * </ul>
 *
 * Each change is logged with the caller's token name.
 */
public final class HostRoutes {
  /** Most labels one request may set. */
  static final int MAX_LABELS = 64;

  /** Longest label key and value. */
  static final int MAX_KEY = 128;

  static final int MAX_VALUE = 256;

  private static final Logger log = LoggerFactory.getLogger(HostRoutes.class);

  private final AgentServer agents;

  public HostRoutes(AgentServer agents) {
    this.agents = agents;
  }

  public void register(JavalinConfig config) {
    config.routes.post("/api/v1/hosts/{host}/release", this::release);
    config.routes.post("/api/v1/hosts/{host}/revoke", this::revoke);
    config.routes.put("/api/v1/hosts/{host}/labels", this::labels);
  }

  private void release(Context ctx) {
    String host = ctx.pathParam("host");
    if (!agents.release(host)) throw notBound(host);
    log.info(
        "host id {} released by {}; the next agent to say Hello with it binds it",
        LogText.quote(host, 80),
        ApiRoutes.caller(ctx).name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("host", host);
    out.put("released", true);
    ctx.json(out);
  }

  private void revoke(Context ctx) {
    String host = ctx.pathParam("host");
    if (!agents.revoke(host)) throw notBound(host);
    log.warn(
        "host id {} revoked by {}: its session is closed, its agent and its certificate's key are"
            + " refused from now on; its containers are left running",
        LogText.quote(host, 80),
        ApiRoutes.caller(ctx).name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("host", host);
    out.put("revoked", true);
    ctx.json(out);
  }

  private void labels(Context ctx) {
    String host = ctx.pathParam("host");
    JsonNode body = ChangeRoutes.body(ctx);
    Map<String, String> set = new TreeMap<>();
    JsonNode setNode = body.path("set");
    if (!setNode.isMissingNode() && !setNode.isNull()) {
      if (!setNode.isObject()) throw bad("\"set\" must be an object of string values");
      setNode
          .fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isTextual()) {
                  throw bad("\"set\" must be an object of string values");
                }
                set.put(e.getKey(), e.getValue().asText());
              });
    }
    Set<String> remove = new LinkedHashSet<>();
    JsonNode removeNode = body.path("remove");
    if (!removeNode.isMissingNode() && !removeNode.isNull()) {
      if (!removeNode.isArray()) throw bad("\"remove\" must be a list of label keys");
      for (JsonNode key : removeNode) {
        if (!key.isTextual()) throw bad("\"remove\" must be a list of label keys");
        remove.add(key.asText());
      }
    }
    if (set.isEmpty() && remove.isEmpty()) {
      throw bad("nothing to change: give \"set\": {\"k\": \"v\"} and/or \"remove\": [\"k\"]");
    }
    if (set.size() > MAX_LABELS) throw bad("at most " + MAX_LABELS + " labels at once");
    set.forEach(HostRoutes::checkLabel);
    Map<String, String> labels =
        agents.relabel(host, set, remove).orElseThrow(() -> notBound(host));
    log.info(
        "labels of host id {} set to {} by {}",
        LogText.quote(host, 80),
        LogText.quote(String.valueOf(new TreeMap<>(labels)), 500),
        ApiRoutes.caller(ctx).name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("host", host);
    out.put("labels", new TreeMap<>(labels));
    ctx.json(out);
  }

  private static void checkLabel(String key, String value) {
    if (key.isEmpty() || key.length() > MAX_KEY || !printable(key)) {
      throw bad(
          "label key "
              + LogText.quote(key, 80)
              + " must be 1 to "
              + MAX_KEY
              + " printable characters");
    }
    if (value.length() > MAX_VALUE || !printable(value)) {
      throw bad(
          "label value of "
              + LogText.quote(key, 80)
              + " must be at most "
              + MAX_VALUE
              + " printable characters");
    }
  }

  private static boolean printable(String text) {
    return text.chars().noneMatch(Character::isISOControl);
  }

  private static ApiError notBound(String host) {
    return new ApiError(
        HttpStatus.NOT_FOUND,
        "no agent holds host id "
            + LogText.quote(host, 80)
            + " (it was never bound, or was released)");
  }

  private static ApiError bad(String message) {
    return new ApiError(HttpStatus.BAD_REQUEST, message);
  }
}
