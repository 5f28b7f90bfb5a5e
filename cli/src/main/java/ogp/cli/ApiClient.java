package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import ogp.protocol.LogText;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options and calls shared by the client commands: the server URL, the bearer token ({@link
 * TokenOptions}: {@code --token} or {@code --token-file}; without either, a local {@code ogp dev}'s
 * admin token, for a server on this machine only) and the CA an HTTPS server is trusted by ({@code
 * --ca-file}, see {@link ServerTrust}).
 *
 * <p>Redirects: a replica of a replicated server that does not lead answers a write (and most
 * reads) with {@code 307 Temporary Redirect} to the leader's advertised URL (docs/ha.md). The
 * client follows one {@code 307} or {@code 308}, to an {@code http} or {@code https} URL only, with
 * the same method, body and headers, the bearer token included: the redirect comes from a replica
 * the client already trusts with that token (over HTTPS one it verified with {@code --ca-file}),
 * and every replica of one cluster accepts the same tokens. A second redirect is an error: a leader
 * answers itself, so a chain means replicas that disagree about who leads.
 */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  @Option(
      names = "--server",
      defaultValue = "http://127.0.0.1:8080",
      description = "Server URL (default: ${DEFAULT-VALUE}).")
  String server;

  @Mixin TokenOptions tokens = new TokenOptions();

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "Trust the server's HTTPS certificate only when this CA (PEM) signed it, e.g. a copy of the"
              + " server's <data-dir>/pki/ca.crt (default: the JDK's public CAs).")
  Path caFile;

  /** Where {@code .ogp/admin-token} is looked for: here and above. */
  Path workingDir = Path.of("");

  /** The token resolved for the first call (each command makes its calls to one server). */
  private Optional<TokenOptions.Bearer> bearer;

  /** Made at the first call, once picocli has set --ca-file. */
  private HttpClient http;

  private HttpClient http() {
    if (http == null) {
      HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
      if (caFile != null) builder.sslContext(ServerTrust.trusting(caFile));
      http = builder.build();
    }
    return http;
  }

  JsonNode get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), DEFAULT_TIMEOUT);
  }

  JsonNode post(String path, String jsonBody) {
    return post(path, jsonBody, DEFAULT_TIMEOUT);
  }

  /** A POST that may take up to {@code timeout} to answer (a change waiting for its turn). */
  JsonNode post(String path, String jsonBody, Duration timeout) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(jsonBody)),
        timeout);
  }

  JsonNode put(String path, String jsonBody) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(jsonBody)),
        DEFAULT_TIMEOUT);
  }

  /**
   * Opens a streaming GET (no overall timeout): the response with its body as a stream, whatever
   * the status. Throws {@link CommandFailure} only when the server cannot be reached.
   */
  HttpResponse<java.io.InputStream> stream(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    authorize(request);
    try {
      return following(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new CommandFailure(
          "cannot connect to " + server + " (is the server running? set --server or OGP_SERVER)");
    } catch (IOException e) {
      String tls = ServerTrust.explain(e, uri(""), caFile);
      if (tls != null) throw new CommandFailure(tls);
      throw new CommandFailure("request to " + server + path + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted");
    }
  }

  private void authorize(HttpRequest.Builder request) {
    if (bearer == null) bearer = tokens.resolve(uri(""), workingDir);
    bearer.ifPresent(b -> request.header("Authorization", "Bearer " + b.token()));
  }

  private JsonNode send(HttpRequest.Builder request, Duration timeout) {
    authorize(request);
    HttpRequest built = request.timeout(timeout).build();
    try {
      HttpResponse<String> response = following(built, HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.body().isBlank() ? JSON.nullNode() : parse(response.body());
      if (response.statusCode() >= 400) {
        String message =
            body.hasNonNull("error") ? body.get("error").asText() : response.body().strip();
        String hint = response.statusCode() == 401 ? "; " + tokenSource() : "";
        throw new CommandFailure(
            "the server answered " + response.statusCode() + ": " + message + hint);
      }
      return body;
    } catch (ConnectException e) {
      throw new CommandFailure(
          "cannot connect to " + server + " (is the server running? set --server or OGP_SERVER)");
    } catch (java.net.http.HttpTimeoutException e) {
      throw new CommandFailure(
          "the server did not answer "
              + built.uri()
              + " within "
              + timeout.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
              + " (--timeout)");
    } catch (IOException e) {
      String tls = ServerTrust.explain(e, built.uri(), caFile);
      if (tls != null) throw new CommandFailure(tls);
      throw new CommandFailure("request to " + built.uri() + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted");
    }
  }

  /**
   * Sends {@code request} and follows one 307/308 redirect with the same method, body and headers
   * (see the class's policy); a second redirect, or one to a URL that is not http(s), is a {@link
   * CommandFailure}.
   */
  private <T> HttpResponse<T> following(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    HttpResponse<T> response = http().send(request, handler);
    if (!isRedirect(response.statusCode())) return response;
    URI leader = redirectTarget(request.uri(), response);
    discard(response);
    HttpRequest again = HttpRequest.newBuilder(request, (name, value) -> true).uri(leader).build();
    HttpResponse<T> second = http().send(again, handler);
    if (isRedirect(second.statusCode())) {
      String further = second.headers().firstValue("Location").orElse("(no Location)");
      discard(second);
      throw new CommandFailure(
          request.uri()
              + " redirected to "
              + leader
              + ", which redirected again to "
              + LogText.quote(further)
              + "; the replicas disagree about the leader (see ogp cluster), try again in a"
              + " moment");
    }
    return second;
  }

  private static boolean isRedirect(int status) {
    return status == 307 || status == 308;
  }

  /** The absolute http(s) URL a redirect names, resolved against the request's URL. */
  private static URI redirectTarget(URI from, HttpResponse<?> response) {
    String location =
        response
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new CommandFailure(
                        from + " answered " + response.statusCode() + " without a Location"));
    URI target;
    try {
      target = from.resolve(location);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(
          from + " redirected to " + LogText.quote(location) + ", which is not a URL");
    }
    if (!"http".equalsIgnoreCase(target.getScheme())
        && !"https".equalsIgnoreCase(target.getScheme()))
      throw new CommandFailure(
          from
              + " redirected to "
              + LogText.quote(location)
              + "; only http and https redirects are followed");
    return target;
  }

  /** Closes a streamed body that is not read (a redirect's). */
  private static void discard(HttpResponse<?> response) {
    if (response.body() instanceof java.io.InputStream in) {
      try {
        in.close();
      } catch (IOException e) {
        // nothing more is read from it
      }
    }
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(body);
    }
  }

  private URI uri(String path) {
    try {
      return URI.create(server.replaceAll("/+$", "") + path);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure("'" + server + "' is not a valid server URL", 2);
    }
  }

  /**
   * Where the token came from, or where it was looked for: said with a 401, so the user knows what
   * to fix.
   */
  private String tokenSource() {
    return bearer == null || bearer.isEmpty()
        ? TokenOptions.noTokenHint(workingDir)
        : bearer.get().source()
            + " was refused (revoked, expired or mistyped?); give a valid one with --token-file"
            + " or OGP_TOKEN_FILE";
  }
}
