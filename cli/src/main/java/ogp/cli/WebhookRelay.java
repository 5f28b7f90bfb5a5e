package ogp.cli;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import ogp.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a webhook delivery that reached a replica that does not lead to the leader, because forges
 * do not follow redirects: the same method, path, query, body and headers (the signature, event and
 * delivery id among them), and the leader's status, content type and body back to the forge.
 *
 * <p>Policy: the body is capped as the webhook receivers cap it (413 above it, judged by {@code
 * Content-Length} before reading and by what was read, nothing relayed); the leader has {@value
 * #TIMEOUT_SECONDS} s to answer. Without a known leader, or when it does not answer in time, the
 * answer is 503 with {@code Retry-After}: the forge delivers again later, and the leader's polling
 * finds the commit anyway. Hop-by-hop headers and those the HTTP client sets itself are not copied;
 * {@code X-Forwarded-For} names the forge's address. Nothing of the delivery is logged but its path
 * and, escaped, the leader's address.
 */
final class WebhookRelay {
  static final int TIMEOUT_SECONDS = 5;

  /** The most of the leader's answer passed back (its answers are a line of JSON). */
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(WebhookRelay.class);

  /** Not copied: hop-by-hop, or set by the client from the request itself. */
  private static final Set<String> NOT_COPIED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length",
          "expect",
          "x-forwarded-for");

  private final HttpClient http;
  private final int maxBodyBytes;

  /**
   * @param trust how the leader's HTTPS certificate is verified (the fleet CA); empty: the JDK's
   * @param maxBodyBytes the webhook receivers' body cap
   */
  WebhookRelay(Optional<SSLContext> trust, int maxBodyBytes) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2));
    trust.ifPresent(builder::sslContext);
    this.http = builder.build();
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Relays the delivery of {@code ctx} to {@code leader} (its base URL), or answers 503. */
  void relay(Context ctx, Optional<URI> leader) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      tooLarge(ctx, declared + " bytes");
      return;
    }
    byte[] body = ctx.bodyInputStream().readNBytes(maxBodyBytes + 1);
    if (body.length > maxBodyBytes) {
      tooLarge(ctx, "more than " + maxBodyBytes + " bytes");
      return;
    }
    if (leader.isEmpty()) {
      StandbyFront.unavailable(ctx, "no leader elected yet; deliver again later");
      return;
    }
    String query = ctx.queryString();
    URI target = URI.create(base(leader.get()) + ctx.path() + (query == null ? "" : "?" + query));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
            .method(ctx.method().name(), HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, String> header : ctx.headerMap().entrySet()) {
      if (NOT_COPIED.contains(header.getKey().toLowerCase(Locale.ROOT))) continue;
      try {
        request.header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException restricted) {
        // a header the client refuses to set (it sets it itself): not relayed
      }
    }
    request.header("X-Forwarded-For", ctx.ip());
    HttpResponse<InputStream> answer;
    try {
      answer = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      unreachable(ctx, target, "did not answer within " + TIMEOUT_SECONDS + " s");
      return;
    } catch (IOException e) {
      unreachable(ctx, target, e.toString());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unreachable(ctx, target, "interrupted");
      return;
    }
    byte[] bytes;
    try (InputStream in = answer.body()) {
      bytes = in.readNBytes(MAX_ANSWER_BYTES);
    } catch (IOException e) {
      unreachable(ctx, target, "its answer broke off: " + e);
      return;
    }
    ctx.status(answer.statusCode());
    answer.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
    ctx.result(bytes);
  }

  private static String base(URI leader) {
    return leader.toString().replaceAll("/+$", "");
  }

  private void tooLarge(Context ctx, String size) {
    ctx.status(413)
        .json(
            Map.of(
                "error", "body of " + size + " exceeds the limit of " + maxBodyBytes + " bytes"));
  }

  private static void unreachable(Context ctx, URI target, String why) {
    log.warn(
        "webhook {} not relayed to the leader at {}: {}",
        ctx.path(),
        LogText.quote(target.getAuthority()),
        LogText.quote(why));
    StandbyFront.unavailable(ctx, "the leader did not answer; deliver again later");
  }
}
