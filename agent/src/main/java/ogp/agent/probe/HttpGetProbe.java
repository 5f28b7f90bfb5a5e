package ogp.agent.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GET {@code http://<container ip>:<port><path>}; any 2xx or 3xx answer is healthy (redirects are
 * not followed, as in Kubernetes' httpGet probe). The container port is used, not a published host
 * port, so a container without published ports can be probed too.
 */
final class HttpGetProbe implements Probe {
  private final HttpClient http;
  private final int port;
  private final String path;

  HttpGetProbe(HttpClient http, int port, String path) {
    this.http = http;
    this.port = port;
    this.path = path.startsWith("/") ? path : "/" + path;
  }

  @Override
  public ProbeResult check(ProbeTarget target, Duration timeout) {
    if (target.ipAddress().isEmpty()) {
      return ProbeResult.unhealthy("the container has no IP address");
    }
    URI uri = URI.create("http://" + target.ipAddress() + ":" + port + path);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      String detail = "HTTP " + status + " from " + uri;
      return status >= 200 && status < 400
          ? ProbeResult.healthy(detail)
          : ProbeResult.unhealthy(detail);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ProbeResult.unhealthy("interrupted");
    } catch (IOException e) {
      return ProbeResult.unhealthy("GET " + uri + ": " + describe(e));
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
