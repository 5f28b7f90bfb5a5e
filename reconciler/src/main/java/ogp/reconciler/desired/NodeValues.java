package ogp.reconciler.desired;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import ogp.protocol.LogText;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads typed values from YAML nodes, reporting a wrong type as an error at the node and returning
 * empty. Strings are always the literal text of the scalar ({@code 1.10} is "1.10", {@code no} is
 * "no"), because the format's strings are tags, labels and environment values, never numbers.
 * Integers and booleans must be plain YAML integers and booleans; null is never a string.
 */
final class NodeValues {
  private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]{1,9}");

  private final Diagnostics diagnostics;

  NodeValues(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  Diagnostics diagnostics() {
    return diagnostics;
  }

  /** How a node is named in "found ..." messages. */
  static String describe(Node node) {
    if (node instanceof SequenceNode) return "a list";
    if (node instanceof MappingNode) return "a mapping";
    if (node.getTag().equals(Tag.NULL)) return "no value";
    ScalarNode scalar = (ScalarNode) node;
    // A number or boolean is shown as written; a string is named so, since "2" looks like 2.
    if (scalar.getTag().equals(Tag.STR)) return "the string " + quote(scalar.getValue());
    return scalar.getValue();
  }

  /**
   * Quoted text in a message shows at most this many characters: a huge scalar must not make a huge
   * message.
   */
  static final int QUOTED_MAX = 200;

  /**
   * The text in double quotes, with quotes and control characters escaped, for messages; cut after
   * {@value #QUOTED_MAX} characters with a note of its length.
   */
  static String quote(String text) {
    return LogText.quote(text, QUOTED_MAX);
  }

  Optional<String> string(Node node, String path) {
    if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
      return Optional.of(scalar.getValue());
    }
    return wrongType(node, path, "a string");
  }

  Optional<Integer> integer(Node node, String path, int min, int max) {
    if (node instanceof ScalarNode scalar
        && scalar.getTag().equals(Tag.INT)
        && DECIMAL.matcher(scalar.getValue()).matches()) {
      int value = Integer.parseInt(scalar.getValue());
      if (value >= min && value <= max) return Optional.of(value);
      diagnostics.error(node, path, value + " is out of range (expected " + range(min, max) + ")");
      return Optional.empty();
    }
    return wrongType(node, path, "an integer " + range(min, max));
  }

  Optional<Boolean> bool(Node node, String path) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      return Optional.of(Boolean.parseBoolean(scalar.getValue()));
    }
    return wrongType(node, path, "true or false");
  }

  Optional<Duration> duration(Node node, String path, boolean zeroAllowed) {
    Optional<String> text = string(node, path);
    if (text.isEmpty()) return Optional.empty();
    Optional<Duration> duration = DurationText.parse(text.get());
    if (duration.isEmpty()) {
      diagnostics.error(
          node,
          path,
          quote(text.get()) + " is not a valid duration (" + DurationText.EXPECTED + ")");
    } else if (duration.get().isZero() && !zeroAllowed) {
      diagnostics.error(node, path, "must be longer than 0 (" + DurationText.EXPECTED + ")");
      return Optional.empty();
    }
    return duration;
  }

  Optional<SequenceNode> sequence(Node node, String path, String ofWhat) {
    if (node instanceof SequenceNode sequence) return Optional.of(sequence);
    return wrongType(node, path, "a list of " + ofWhat);
  }

  /** A list of strings; empty when the node or any element has the wrong type. */
  Optional<List<String>> strings(Node node, String path, String ofWhat) {
    Optional<SequenceNode> sequence = sequence(node, path, ofWhat);
    if (sequence.isEmpty()) return Optional.empty();
    List<String> values = new ArrayList<>();
    List<Node> elements = sequence.get().getValue();
    for (int i = 0; i < elements.size(); i++) {
      string(elements.get(i), path + "[" + i + "]").ifPresent(values::add);
    }
    return values.size() == elements.size() ? Optional.of(values) : Optional.empty();
  }

  /** A mapping of strings to strings in file order; empty when anything has the wrong type. */
  Optional<Map<String, String>> stringMap(Node node, String path, String ofWhat) {
    if (!(node instanceof MappingNode mappingNode)) {
      return wrongType(node, path, "a mapping of " + ofWhat);
    }
    int before = diagnostics.errorCount();
    YamlMapping mapping = YamlMapping.read(mappingNode, path, null, diagnostics);
    Map<String, String> values = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.tuples()) {
      String key = ((ScalarNode) tuple.getKeyNode()).getValue();
      string(tuple.getValueNode(), mapping.path(key)).ifPresent(v -> values.put(key, v));
    }
    return diagnostics.errorCount() == before ? Optional.of(values) : Optional.empty();
  }

  /** A nested mapping with a fixed set of keys, such as {@code health} or {@code update}. */
  Optional<YamlMapping> section(Node node, String path, List<String> keys) {
    if (node instanceof MappingNode mapping) {
      return Optional.of(YamlMapping.read(mapping, path, keys, diagnostics));
    }
    return wrongType(node, path, "a mapping with keys " + String.join(", ", keys));
  }

  private <T> Optional<T> wrongType(Node node, String path, String expected) {
    diagnostics.error(node, path, "expected " + expected + ", found " + describe(node));
    return Optional.empty();
  }

  private static String range(int min, int max) {
    return max == Integer.MAX_VALUE ? ">= " + min : min + "-" + max;
  }
}
