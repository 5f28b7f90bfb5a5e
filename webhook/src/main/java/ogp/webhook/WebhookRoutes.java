package ogp.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push webhook receivers of SPEC §5.3: {@code POST /webhooks/github}, {@code /gitlab}, {@code
 * /gitea} (also Forgejo and Gogs), {@code /bitbucket} (Cloud and Server/Data Center) and {@code
 * /generic}.
 *
 * <p>Policy: bodies over {@link WebhookSettings#maxBodyBytes()} are refused with 413, judged by
 * {@code Content-Length} before reading and by the bytes actually read; every delivery is verified
 * against the raw body before anything else; a valid push to the followed repository and branch
 * calls {@link RefreshTrigger#refresh} on the request thread and answers 202. Answers are JSON, and
 * no body can cause a 5xx. Every request increments {@value #METRIC} tagged with its provider and
 * outcome, and every one that queues no refresh is logged by {@link DeliveryLog}.
 */
public final class WebhookRoutes {
  /** Counter of webhook requests, tags {@code provider} and {@code outcome}. */
  public static final String METRIC = "ogp_webhook_requests_total";

  private static final Logger log = LoggerFactory.getLogger(WebhookRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int maxBodyBytes;
  private final DeliveryReceiver receiver;
  private final MeterRegistry registry;

  public WebhookRoutes(WebhookSettings settings, RefreshTrigger trigger, MeterRegistry registry) {
    this.maxBodyBytes = Objects.requireNonNull(settings, "settings").maxBodyBytes();
    this.receiver = new DeliveryReceiver(settings, Objects.requireNonNull(trigger, "trigger"));
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * The path of every webhook receiver, e.g. {@code /webhooks/github}: what a replica that does not
   * lead relays to the leader.
   */
  public static java.util.List<String> paths() {
    return Endpoint.all().stream().map(Endpoint::path).toList();
  }

  /** Adds the webhook routes to a Javalin configuration. */
  public void register(JavalinConfig config) {
    for (Endpoint endpoint : Endpoint.all()) {
      config.routes.post(endpoint.path(), ctx -> handle(endpoint, ctx));
    }
  }

  private void handle(Endpoint endpoint, Context ctx) {
    InboundRequest headers = new InboundRequest(ctx.headerMap(), new byte[0]);
    Provider provider = endpoint.providerFor(headers);
    Reply reply;
    try {
      reply = receive(provider, ctx);
    } catch (IOException e) {
      reply = new Reply(Outcome.BAD_REQUEST, "the request body could not be read");
    } catch (RuntimeException e) {
      // A bug of ours, but still the sender's request we could not read: never a 5xx for a body.
      log.error("{} delivery could not be processed", provider.name(), e);
      reply = new Reply(Outcome.BAD_REQUEST, "the delivery could not be processed");
    }
    Counter.builder(METRIC)
        .description("Webhook requests by provider and outcome")
        .tag("provider", provider.name())
        .tag("outcome", reply.outcome().tag())
        .register(registry)
        .increment();
    DeliveryLog.record(provider.name(), provider.deliveryId(headers), reply);
    respond(ctx, reply);
  }

  private Reply receive(Provider provider, Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    // Refuse before reading a byte when the sender says it is too much.
    if (declared > maxBodyBytes) {
      return tooLarge(declared + " bytes");
    }
    byte[] body = ctx.bodyInputStream().readNBytes(maxBodyBytes + 1);
    // A chunked body declares no length: what was read decides.
    if (body.length > maxBodyBytes) {
      return tooLarge("more than " + maxBodyBytes + " bytes");
    }
    return receiver.receive(provider, new InboundRequest(ctx.headerMap(), body));
  }

  private Reply tooLarge(String size) {
    return new Reply(
        Outcome.TOO_LARGE, "body of " + size + " exceeds the limit of " + maxBodyBytes + " bytes");
  }

  private static void respond(Context ctx, Reply reply) {
    String json;
    try {
      json = JSON.writeValueAsString(reply.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always serializable", e);
    }
    ctx.status(reply.outcome().status).contentType("application/json").result(json);
  }
}
