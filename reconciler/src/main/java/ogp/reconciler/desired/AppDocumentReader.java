package ogp.reconciler.desired;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Validates one YAML document as an app of format {@code ogp/v1} (SPEC §2). Every key is checked
 * even after an error, so one pass reports all problems of the document; an {@link App} is built
 * only when the document had none. Defaults: state running, instances 1, restart unless-stopped, no
 * health check, {@link UpdatePolicy#DEFAULT}.
 */
final class AppDocumentReader {
  static final List<String> KEYS =
      List.of(
          "app",
          "image",
          "version",
          "state",
          "hosts",
          "selector",
          "instances",
          "command",
          "entrypoint",
          "env",
          "ports",
          "volumes",
          "restart",
          "health",
          "update",
          "kind");

  private static final Pattern APP_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final int MAX_APP_NAME = 63;
  private static final Pattern DOCKER_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private final Diagnostics diagnostics;
  private final NodeValues values;

  AppDocumentReader(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.values = new NodeValues(diagnostics);
  }

  Optional<App> read(MappingNode document) {
    int before = diagnostics.errorCount();
    YamlMapping doc = YamlMapping.read(document, "", KEYS, diagnostics);
    doc.value("kind").ifPresent(this::checkKind);
    Optional<String> name = required(doc, document, "app", "the app's name", this::appName);
    Optional<String> image =
        required(
            doc,
            document,
            "image",
            "the image repository",
            node -> checked(node, "image", ImageReference::problem));
    Optional<String> version =
        required(doc, document, "version", "the image tag, e.g. \"42\"", this::version);
    AppState state =
        doc.get("state", (v, p) -> choice(v, p, AppState.values(), AppState::yaml))
            .orElse(AppState.RUNNING);
    Optional<Placement> placement = placement(document, doc);
    int instances =
        doc.get("instances", (v, p) -> values.integer(v, p, 1, DesiredStateLimits.MAX_INSTANCES))
            .orElse(1);
    List<String> command =
        doc.get("command", (v, p) -> values.strings(v, p, "arguments")).orElse(List.of());
    List<String> entrypoint =
        doc.get("entrypoint", (v, p) -> values.strings(v, p, "arguments")).orElse(List.of());
    Map<String, String> env =
        doc.get("env", (v, p) -> values.stringMap(v, p, "variable names to values"))
            .orElse(Map.of());
    List<PortMapping> ports = doc.value("ports").map(this::ports).orElse(List.of());
    List<VolumeMount> volumes = doc.value("volumes").map(this::volumes).orElse(List.of());
    RestartPolicy restart =
        doc.get("restart", (v, p) -> choice(v, p, RestartPolicy.values(), RestartPolicy::yaml))
            .orElse(RestartPolicy.UNLESS_STOPPED);
    Optional<HealthCheck> health = doc.get("health", new HealthCheckReader(values)::read);
    UpdatePolicy update =
        doc.get("update", new UpdatePolicyReader(values)::read).orElse(UpdatePolicy.DEFAULT);
    if (diagnostics.errorCount() > before) return Optional.empty();
    return Optional.of(
        new App(
            name.orElseThrow(),
            image.orElseThrow(),
            version.orElseThrow(),
            state,
            placement.orElseThrow(),
            instances,
            command,
            entrypoint,
            env,
            ports,
            volumes,
            restart,
            health,
            update,
            diagnostics.position(document)));
  }

  private void checkKind(Node node) {
    values
        .string(node, "kind")
        .filter(kind -> !kind.equals("App"))
        .ifPresent(
            kind ->
                diagnostics.error(
                    node,
                    "kind",
                    NodeValues.quote(kind)
                        + " is not allowed here (expected"
                        + " App: only the first document of a file may declare another kind)"));
  }

  private Optional<String> required(
      YamlMapping doc,
      Node document,
      String key,
      String what,
      Function<Node, Optional<String>> read) {
    if (!doc.has(key)) {
      diagnostics.error(document, key, "required key is missing (" + what + ")");
      return Optional.empty();
    }
    return read.apply(doc.value(key).orElseThrow());
  }

  private Optional<String> appName(Node node) {
    return checked(
        node,
        "app",
        name ->
            APP_NAME.matcher(name).matches() && name.length() <= MAX_APP_NAME
                ? Optional.empty()
                : Optional.of(
                    NodeValues.quote(name)
                        + " is not a valid app name (expected lowercase"
                        + " letters, digits and '-', starting and ending with a letter or digit, at most "
                        + MAX_APP_NAME
                        + " characters)"));
  }

  private Optional<String> version(Node node) {
    return checked(
        node,
        "version",
        tag ->
            DOCKER_TAG.matcher(tag).matches()
                ? Optional.empty()
                : Optional.of(
                    NodeValues.quote(tag)
                        + " is not a valid image tag (expected letters,"
                        + " digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters)"));
  }

  /** A string that {@code problem} accepts; else the problem is reported at the node. */
  private Optional<String> checked(
      Node node, String path, Function<String, Optional<String>> problem) {
    Optional<String> text = values.string(node, path);
    Optional<String> wrong = text.flatMap(problem);
    wrong.ifPresent(message -> diagnostics.error(node, path, message));
    return wrong.isPresent() ? Optional.empty() : text;
  }

  private <E> Optional<E> choice(Node node, String path, E[] options, Function<E, String> yaml) {
    Optional<String> text = values.string(node, path);
    if (text.isEmpty()) return Optional.empty();
    for (E option : options) {
      if (yaml.apply(option).equals(text.get())) return Optional.of(option);
    }
    List<String> names = Arrays.stream(options).map(yaml).toList();
    diagnostics.error(
        node,
        path,
        NodeValues.quote(text.get())
            + " is not valid (expected one of "
            + String.join(", ", names)
            + ")");
    return Optional.empty();
  }

  private Optional<Placement> placement(Node document, YamlMapping doc) {
    if (doc.has("hosts") && doc.has("selector")) {
      Node second = doc.keyNode("selector").orElseThrow();
      diagnostics.error(
          second,
          "selector",
          "hosts and selector are both given (expected exactly"
              + " one: hosts lists host ids, selector matches agent labels)");
      return Optional.empty();
    }
    if (doc.has("hosts")) return doc.value("hosts").flatMap(this::hosts);
    if (doc.has("selector")) return doc.value("selector").flatMap(this::selector);
    diagnostics.error(
        document,
        "hosts",
        "the app has no placement (expected exactly one of"
            + " hosts: [host-id, ...] or selector: {label: value})");
    return Optional.empty();
  }

  private Optional<Placement> hosts(Node node) {
    Optional<SequenceNode> sequence = values.sequence(node, "hosts", "host ids");
    if (sequence.isEmpty()) return Optional.empty();
    List<Node> elements = sequence.get().getValue();
    if (elements.isEmpty()) {
      diagnostics.error(
          node,
          "hosts",
          "empty list (expected at least one host id;"
              + " use state: absent to take the app offline)");
      return Optional.empty();
    }
    int before = diagnostics.errorCount();
    List<String> ids = new ArrayList<>();
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      String path = "hosts[" + i + "]";
      Node element = elements.get(i);
      Optional<String> id = values.string(element, path);
      if (id.isEmpty()) continue;
      Integer first = firstIndex.putIfAbsent(id.get(), i);
      if (id.get().isBlank()) {
        diagnostics.error(element, path, "empty host id (expected a host id)");
      } else if (first != null) {
        diagnostics.error(
            element,
            path,
            NodeValues.quote(id.get()) + " is listed twice (first at hosts[" + first + "])");
      }
      ids.add(id.get());
    }
    return diagnostics.errorCount() == before
        ? Optional.of(new Placement.Hosts(ids))
        : Optional.empty();
  }

  private Optional<Placement> selector(Node node) {
    Optional<Map<String, String>> labels =
        values.stringMap(node, "selector", "label names to values");
    if (labels.isPresent() && labels.get().isEmpty()) {
      diagnostics.error(
          node,
          "selector",
          "empty selector (expected at least one label, e.g."
              + " {role: web}; an empty selector would select every host)");
      return Optional.empty();
    }
    return labels.map(Placement.Selector::new);
  }

  private List<PortMapping> ports(Node node) {
    List<PortMapping> ports = new ArrayList<>();
    List<Integer> published =
        new ArrayList<>(); // the index in ports[] of each accepted mapping, in order
    List<Node> elements =
        values
            .sequence(node, "ports", "\"host:container\" strings")
            .map(SequenceNode::getValue)
            .orElse(List.of());
    for (int i = 0; i < elements.size(); i++) {
      String path = "ports[" + i + "]";
      Node element = elements.get(i);
      Optional<String> text = values.string(element, path);
      if (text.isEmpty()) continue;
      Optional<PortMapping> port = PortMapping.parse(text.get());
      if (port.isEmpty()) {
        diagnostics.error(
            element,
            path,
            NodeValues.quote(text.get())
                + " is not a valid port mapping ("
                + PortMapping.EXPECTED
                + ")");
        continue;
      }
      String hostSide = port.get().hostPort() + "/" + port.get().protocol();
      // Two addresses may publish one port; "every address" and the same address may not.
      OptionalInt first =
          java.util.stream.IntStream.range(0, ports.size())
              .filter(
                  j -> {
                    PortMapping other = ports.get(j);
                    return other.hostPort() == port.get().hostPort()
                        && other.protocol().equals(port.get().protocol())
                        && (other.hostIp().isEmpty()
                            || port.get().hostIp().isEmpty()
                            || other.hostIp().equals(port.get().hostIp()));
                  })
              .findFirst();
      if (first.isPresent()) {
        diagnostics.error(
            element,
            path,
            "host port "
                + hostSide
                + " is already published by ports["
                + published.get(first.getAsInt())
                + "]");
        continue;
      }
      published.add(i);
      ports.add(port.get());
    }
    return ports;
  }

  private List<VolumeMount> volumes(Node node) {
    List<VolumeMount> volumes = new ArrayList<>();
    List<Node> elements =
        values
            .sequence(node, "volumes", "\"host:container[:ro]\" strings")
            .map(SequenceNode::getValue)
            .orElse(List.of());
    for (int i = 0; i < elements.size(); i++) {
      String path = "volumes[" + i + "]";
      Node element = elements.get(i);
      values
          .string(element, path)
          .ifPresent(
              text ->
                  VolumeMount.parse(text)
                      .ifPresentOrElse(
                          volumes::add,
                          () ->
                              diagnostics.error(
                                  element,
                                  path,
                                  NodeValues.quote(text)
                                      + " is not a valid bind mount ("
                                      + VolumeMount.EXPECTED
                                      + ")")));
    }
    return volumes;
  }
}
