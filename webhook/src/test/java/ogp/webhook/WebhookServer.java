package ogp.webhook;

import io.javalin.Javalin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real Javalin on a free loopback port serving only the webhook routes. */
final class WebhookServer implements AutoCloseable {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final RecordingTrigger trigger;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Javalin app;

  private WebhookServer(
      WebhookSettings settings, RefreshTrigger trigger, RecordingTrigger recording) {
    this.trigger = recording;
    WebhookRoutes routes = new WebhookRoutes(settings, trigger, registry);
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              routes.register(config);
            });
    app.start("127.0.0.1", 0);
  }

  static WebhookServer start(WebhookSettings settings) {
    RecordingTrigger recording = new RecordingTrigger();
    return new WebhookServer(settings, recording, recording);
  }

  static WebhookServer start(String followedRepo, String followedBranch) {
    return start(
        new WebhookSettings(followedRepo, followedBranch, List.of(Hmac.SECRET), 64 * 1024));
  }

  /** A server whose trigger is the given one (its calls are not recorded). */
  static WebhookServer startWithTrigger(WebhookSettings settings, RefreshTrigger trigger) {
    return new WebhookServer(settings, trigger, new RecordingTrigger());
  }

  HttpResponse<String> post(String path, Map<String, String> headers, byte[] body) {
    return send(path, headers, HttpRequest.BodyPublishers.ofByteArray(body));
  }

  /**
   * Posts the provider's push fixture to its endpoint, signed with the secret, as the provider
   * would.
   */
  HttpResponse<String> push(ProviderCase c, String deliveryId, byte[] secret) {
    byte[] body = c.push();
    return post(c.path, c.pushHeaders(deliveryId, body, secret), body);
  }

  /** Posts without a Content-Length (chunked), so only the bytes read can reveal the size. */
  HttpResponse<String> postChunked(String path, Map<String, String> headers, byte[] body) {
    return send(
        path,
        headers,
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
  }

  private HttpResponse<String> send(
      String path, Map<String, String> headers, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(body);
    headers.forEach(request::header);
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** How often {@value WebhookRoutes#METRIC} was incremented for this provider and outcome. */
  double count(String provider, String outcome) {
    Counter counter =
        registry
            .find(WebhookRoutes.METRIC)
            .tag("provider", provider)
            .tag("outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Override
  public void close() {
    app.stop();
  }
}
