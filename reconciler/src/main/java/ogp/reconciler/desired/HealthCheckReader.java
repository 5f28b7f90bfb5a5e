package ogp.reconciler.desired;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads {@code health:}. Exactly one probe kind ({@code http}, {@code tcp} or {@code exec});
 * timings default to Docker-like values: interval 10s, timeout 2s, retries 3, startPeriod 0s (probe
 * failures count from the first probe — set startPeriod for slow starters).
 */
final class HealthCheckReader {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  static final int DEFAULT_RETRIES = 3;
  static final Duration DEFAULT_START_PERIOD = Duration.ZERO;

  private static final List<String> PROBES = List.of("http", "tcp", "exec");
  private static final List<String> KEYS =
      List.of("http", "tcp", "exec", "interval", "timeout", "retries", "startPeriod");
  private static final List<String> HTTP_KEYS = List.of("port", "path");
  private static final int MAX_PORT = 65535;

  private final NodeValues values;

  HealthCheckReader(NodeValues values) {
    this.values = values;
  }

  Optional<HealthCheck> read(Node node, String path) {
    Optional<YamlMapping> section = values.section(node, path, KEYS);
    if (section.isEmpty()) return Optional.empty();
    YamlMapping health = section.get();
    Optional<HealthCheck.Probe> probe = probe(node, path, health);
    Duration interval =
        health.get("interval", (v, p) -> values.duration(v, p, false)).orElse(DEFAULT_INTERVAL);
    Duration timeout =
        health.get("timeout", (v, p) -> values.duration(v, p, false)).orElse(DEFAULT_TIMEOUT);
    int retries =
        health.get("retries", (v, p) -> values.integer(v, p, 1, 100)).orElse(DEFAULT_RETRIES);
    Duration startPeriod =
        health
            .get("startPeriod", (v, p) -> values.duration(v, p, true))
            .orElse(DEFAULT_START_PERIOD);
    return probe.map(p -> new HealthCheck(p, interval, timeout, retries, startPeriod));
  }

  private Optional<HealthCheck.Probe> probe(Node node, String path, YamlMapping health) {
    List<String> given = PROBES.stream().filter(health::has).toList();
    if (given.isEmpty()) {
      values
          .diagnostics()
          .error(node, path, "no probe given (expected exactly one of http, tcp, exec)");
      return Optional.empty();
    }
    for (String extra : given.subList(1, given.size())) {
      values
          .diagnostics()
          .error(
              health.keyNode(extra).orElseThrow(),
              health.path(extra),
              "only one probe is allowed, "
                  + given.get(0)
                  + " is already given (expected exactly one of http, tcp, exec)");
    }
    String kind = given.get(0);
    Node value = health.value(kind).orElseThrow();
    String probePath = health.path(kind);
    Optional<HealthCheck.Probe> probe =
        switch (kind) {
          case "http" -> http(value, probePath);
          case "tcp" -> values.integer(value, probePath, 1, MAX_PORT).map(HealthCheck.Tcp::new);
          default -> exec(value, probePath);
        };
    return given.size() == 1 ? probe : Optional.empty();
  }

  private Optional<HealthCheck.Probe> http(Node node, String path) {
    Optional<YamlMapping> section = values.section(node, path, HTTP_KEYS);
    if (section.isEmpty()) return Optional.empty();
    YamlMapping http = section.get();
    if (!http.has("port")) {
      values
          .diagnostics()
          .error(node, http.path("port"), "required key is missing (the port to probe)");
    }
    Optional<Integer> port = http.get("port", (v, p) -> values.integer(v, p, 1, MAX_PORT));
    String urlPath = "/";
    Optional<Node> pathNode = http.value("path");
    if (pathNode.isPresent()) {
      Optional<String> text = values.string(pathNode.get(), http.path("path"));
      if (text.isEmpty()) return Optional.empty();
      if (!text.get().startsWith("/")) {
        values
            .diagnostics()
            .error(
                pathNode.get(),
                http.path("path"),
                NodeValues.quote(text.get())
                    + " is not a valid path (expected an absolute path like /healthz)");
        return Optional.empty();
      }
      urlPath = text.get();
    }
    String finalPath = urlPath;
    return port.map(p -> new HealthCheck.Http(p, finalPath));
  }

  private Optional<HealthCheck.Probe> exec(Node node, String path) {
    Optional<List<String>> argv = values.strings(node, path, "arguments");
    if (argv.isPresent() && argv.get().isEmpty()) {
      values
          .diagnostics()
          .error(node, path, "empty command (expected a list like [\"cat\", \"/tmp/ok\"])");
      return Optional.empty();
    }
    return argv.map(HealthCheck.Exec::new);
  }
}
