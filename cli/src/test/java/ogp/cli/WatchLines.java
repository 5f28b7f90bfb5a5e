package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A test's watch connection: reads the stream's lines on a thread of its own into a queue, so a
 * test can wait for a line with a deadline. {@link #close()} drops the connection.
 */
final class WatchLines implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Put on the queue when the stream ends (EOF or a broken connection). */
  static final JsonNode END = JSON.createObjectNode().put("type", "END");

  /** How often {@link #await} looks for new lines. */
  private static final Duration POLL = Duration.ofMillis(10);

  final int status;
  final String errorBody;
  private final InputStream body;
  private final LinkedBlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private volatile long lastResourceVersion = -1;

  /** The last lines a test skipped, to say what came instead when a wait fails. */
  private final java.util.ArrayDeque<String> skipped = new java.util.ArrayDeque<>();

  private WatchLines(int status, String errorBody, InputStream body) {
    this.status = status;
    this.errorBody = errorBody;
    this.body = body;
    if (body != null) {
      Thread reader = new Thread(this::read, "test-watch-reader");
      reader.setDaemon(true);
      reader.start();
    }
  }

  static WatchLines open(HttpClient http, int port, String token, Long resourceVersion)
      throws Exception {
    String query = resourceVersion == null ? "" : "?resourceVersion=" + resourceVersion;
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/watch" + query))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      try (InputStream in = response.body()) {
        return new WatchLines(
            response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8), null);
      }
    }
    return new WatchLines(200, null, response.body());
  }

  private void read() {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        JsonNode node = JSON.readTree(line);
        if (node.has("resourceVersion")) lastResourceVersion = node.get("resourceVersion").asLong();
        lines.add(node);
      }
    } catch (IOException dropped) {
      // closed by the test or the server: the END marker says so
    }
    lines.add(END);
  }

  /** The next line, or fails after the deadline. */
  JsonNode next(Duration deadline) throws InterruptedException {
    JsonNode line = lines.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null) throw new AssertionError("no watch line within " + deadline);
    return line;
  }

  /** Skips lines until one matches; fails at the deadline, or at once at the end of the stream. */
  JsonNode await(Predicate<JsonNode> match, Duration deadline) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(deadline)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              found.set(takeUntil(match));
              assertNotNull(found.get(), () -> "a matching watch line; last lines: " + skipped);
            });
    return found.get();
  }

  /** Takes the lines read so far until one matches, or null when none of them does. */
  private JsonNode takeUntil(Predicate<JsonNode> match) {
    for (JsonNode line = lines.poll(); line != null; line = lines.poll()) {
      if (match.test(line)) return line;
      skipped.addLast(
          line.toString().length() > 300 ? line.toString().substring(0, 300) : line.toString());
      if (skipped.size() > 6) skipped.removeFirst();
      if (line == END)
        throw new IllegalStateException(
            "the stream ended before a matching line; last lines: " + skipped);
    }
    return null;
  }

  long lastResourceVersion() {
    return lastResourceVersion;
  }

  static Predicate<JsonNode> is(String type, String kind) {
    return l -> type.equals(l.path("type").asText()) && kind.equals(l.path("kind").asText());
  }

  @Override
  public void close() throws IOException {
    if (body != null) body.close();
  }
}
