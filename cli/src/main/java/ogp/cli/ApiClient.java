package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options and calls shared by the client commands: the server URL and bearer token. Without a
 * token, the admin token of a local {@code ogp dev} ({@code .ogp/admin-token} here or in a
 * directory above) is used if present.
 */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  @Option(
      names = "--server",
      defaultValue = "http://127.0.0.1:8080",
      description = "Server URL (default: ${DEFAULT-VALUE}).")
  String server;

  @Option(
      names = "--token",
      description = "Bearer token (default: .ogp/admin-token here or above, if present).")
  String token;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
      return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new CommandFailure(
          "cannot connect to " + server + " (is the server running? set --server or OGP_SERVER)");
    } catch (IOException e) {
      throw new CommandFailure("request to " + server + path + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted");
    }
  }

  private void authorize(HttpRequest.Builder request) {
    String bearer = token != null && !token.isBlank() ? token : localDevToken();
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
  }

  private JsonNode send(HttpRequest.Builder request, Duration timeout) {
    authorize(request);
    HttpRequest built = request.timeout(timeout).build();
    try {
      HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
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
      throw new CommandFailure("request to " + built.uri() + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted");
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
    if (token != null && !token.isBlank())
      return "the token given with --token or OGP_TOKEN was refused (revoked, expired or mistyped?)";
    return localDevTokenFile()
        .map(
            f ->
                "the token in "
                    + f
                    + " (ogp dev's admin token) was refused; give a valid one with --token or OGP_TOKEN")
        .orElse(
            "no token was given: pass --token T or set OGP_TOKEN (no .ogp/admin-token of a local ogp dev was found in "
                + Path.of("").toAbsolutePath()
                + " or above)");
  }

  /**
   * The admin token of a local {@code ogp dev}: {@code .ogp/admin-token} in the working directory
   * or the nearest directory above it (so commands also work inside {@code .ogp/dev-repo}).
   */
  private static Optional<Path> localDevTokenFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve(".ogp").resolve("admin-token");
      if (Files.isReadable(file)) return Optional.of(file);
    }
    return Optional.empty();
  }

  private static String localDevToken() {
    try {
      Optional<Path> file = localDevTokenFile();
      return file.isPresent() ? Files.readString(file.get()).strip() : null;
    } catch (IOException e) {
      return null;
    }
  }
}
