package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ogp watch}: follows {@code GET /api/v1/watch} and prints one line per change. Policy of a
 * Kubernetes client: remember the last resource version seen (bookmarks included); after a dropped
 * connection or a server restart, resume from it with growing pauses (1 s doubling to 30 s); when
 * the server answers 410 Gone (or cuts the watcher off and the resume is gone too), say so and list
 * again from the current state.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = "Follows the watch stream of a server and prints its changes and events.")
final class WatchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final long MAX_PAUSE_MILLIS = 30_000;

  @Mixin ApiClient api;

  @Option(
      names = "--since",
      description = "Resume after this resourceVersion instead of listing the current state first.")
  Long since;

  @Option(
      names = "--output",
      defaultValue = "text",
      description = "text or json (one stream line per line; default: ${DEFAULT-VALUE}).")
  String output;

  /** For tests: stop after this many printed lines (0: follow forever). */
  @Option(names = "--exit-after", hidden = true, defaultValue = "0")
  int exitAfter;

  private final PrintStream out;
  private final PrintStream err;
  private int printed;

  WatchCommand() {
    this(System.out, System.err);
  }

  WatchCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!"text".equals(output) && !"json".equals(output))
      throw new CommandFailure("--output must be text or json", 2);
    Ansi ansi = "text".equals(output) ? Ansi.forStdout() : Ansi.off();
    Long resourceVersion = since;
    long pause = 1_000;
    boolean everConnected = false;
    while (true) {
      HttpResponse<InputStream> response;
      try {
        response =
            api.stream(
                "/api/v1/watch"
                    + (resourceVersion == null ? "" : "?resourceVersion=" + resourceVersion));
      } catch (CommandFailure unreachable) {
        if (!everConnected) throw unreachable; // a wrong URL should fail at once, not retry forever
        err.println(
            "ogp watch: " + unreachable.getMessage() + "; retrying in " + pause / 1000 + " s");
        Thread.sleep(pause); // backoff between reconnects of a long-running client
        pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        continue;
      }
      if (response.statusCode() == 410) {
        err.println(
            "ogp watch: resourceVersion "
                + resourceVersion
                + " is no longer retained by the server; listing the current state again");
        close(response);
        resourceVersion = null;
        continue;
      }
      if (response.statusCode() != 200) {
        String body = read(response);
        JsonNode error = parse(body);
        throw new CommandFailure(
            "the server answered "
                + response.statusCode()
                + ": "
                + (error != null && error.hasNonNull("error")
                    ? error.get("error").asText()
                    : body.strip()));
      }
      everConnected = true;
      pause = 1_000;
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        for (String raw; (raw = lines.readLine()) != null; ) {
          JsonNode line = parse(raw);
          if (line == null) continue;
          if ("ERROR".equals(line.path("type").asText())) {
            err.println(
                "ogp watch: the server ended the stream: " + line.at("/object/message").asText());
            break;
          }
          resourceVersion = line.path("resourceVersion").asLong();
          if (print(raw, line, ansi) && exitAfter > 0 && ++printed >= exitAfter) return 0;
        }
      } catch (IOException dropped) {
        err.println("ogp watch: connection lost (" + dropped.getMessage() + ")");
      }
      err.println("ogp watch: resuming after resourceVersion " + resourceVersion);
    }
  }

  /** Prints one stream line; returns false for lines the text output leaves out (bookmarks). */
  private boolean print(String raw, JsonNode line, Ansi ansi) {
    if ("json".equals(output)) {
      out.println(raw);
      return true;
    }
    String type = line.path("type").asText();
    if ("BOOKMARK".equals(type)) return false;
    String kind = line.path("kind").asText();
    JsonNode o = line.path("object");
    String time =
        "Event".equals(kind) && o.hasNonNull("time")
            ? LocalTime.ofInstant(Instant.parse(o.get("time").asText()), ZoneId.systemDefault())
                .format(TIME)
            : LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(TIME);
    out.printf(
        "%s  %-8s  %-8s  %-20s  %s%n",
        ansi.dim(time),
        ansi.status(type) + " ".repeat(Math.max(0, 8 - type.length())),
        kind,
        name(kind, o),
        summary(kind, o, ansi));
    out.flush();
    return true;
  }

  private static String name(String kind, JsonNode o) {
    return switch (kind) {
      case "App" -> o.path("app").asText();
      case "Host" -> o.path("host").asText();
      case "Revision" -> shortSha(o.path("revision").asText(""));
      case "Event" -> o.path("reason").asText();
      default -> "";
    };
  }

  private static String summary(String kind, JsonNode o, Ansi ansi) {
    return switch (kind) {
      case "App" ->
          o.path("desiredVersion").asText()
              + " "
              + ansi.status(o.path("sync").asText())
              + "/"
              + ansi.status(o.path("health").asText());
      case "Host" ->
          ansi.status(o.path("status").asText())
              + ", "
              + o.path("containers").size()
              + " container(s)"
              + (o.hasNonNull("lastError") ? ", " + ansi.red(o.get("lastError").asText()) : "");
      case "Revision" ->
          o.path("subject").asText("")
              + (o.hasNonNull("invalid")
                  ? ansi.red(
                      "  (newer " + shortSha(o.at("/invalid/revision").asText()) + " is invalid)")
                  : "");
      case "Event" -> where(o) + o.path("message").asText();
      default -> o.toString();
    };
  }

  private static String where(JsonNode o) {
    StringBuilder s = new StringBuilder();
    if (o.hasNonNull("app")) s.append(o.get("app").asText()).append(' ');
    if (o.hasNonNull("host")) s.append("on ").append(o.get("host").asText()).append(' ');
    return s.length() == 0 ? "" : "[" + s.toString().strip() + "] ";
  }

  private static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  private static JsonNode parse(String raw) {
    try {
      return JSON.readTree(raw);
    } catch (IOException e) {
      return null;
    }
  }

  private static String read(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // nothing to release beyond the connection, which is gone either way
    }
  }
}
