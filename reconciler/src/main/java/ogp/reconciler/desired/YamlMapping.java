package ogp.reconciler.desired;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The entries of one YAML mapping, checked for the rules every mapping of the format shares: keys
 * are plain strings, no key appears twice (the first wins, each repeat is an error at the repeat),
 * and — when the allowed keys are given — no key is unknown (the error lists the allowed keys).
 */
final class YamlMapping {
  private final String prefix;
  private final Map<String, NodeTuple> entries; // in file order

  private YamlMapping(String prefix, Map<String, NodeTuple> entries) {
    this.prefix = prefix;
    this.entries = entries;
  }

  /**
   * Reads {@code node}, a mapping at {@code path} ("" for a document root).
   *
   * @param allowed the allowed keys in documentation order, or {@code null} for any key
   */
  static YamlMapping read(
      MappingNode node, String path, List<String> allowed, Diagnostics diagnostics) {
    String prefix = path.isEmpty() ? "" : path + ".";
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    Set<String> allowedSet = allowed == null ? null : Set.copyOf(allowed);
    for (NodeTuple tuple : node.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
        diagnostics.error(
            keyNode,
            path.isEmpty() ? "(document)" : path,
            "keys must be strings, found " + NodeValues.describe(keyNode));
        continue;
      }
      String key = scalar.getValue();
      NodeTuple first = entries.get(key);
      if (first != null) {
        diagnostics.error(
            keyNode,
            prefix + key,
            "duplicate key (first defined at line "
                + diagnostics.position(first.getKeyNode()).line()
                + ")");
      } else if (allowedSet != null && !allowedSet.contains(key)) {
        diagnostics.error(
            keyNode, prefix + key, "unknown key (allowed: " + String.join(", ", allowed) + ")");
      } else {
        entries.put(key, tuple);
      }
    }
    return new YamlMapping(prefix, entries);
  }

  /** The key path of {@code key} in this mapping, e.g. {@code health.interval}. */
  String path(String key) {
    return prefix + key;
  }

  boolean has(String key) {
    return entries.containsKey(key);
  }

  Optional<Node> value(String key) {
    return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
  }

  /** The value of {@code key} read by {@code read(node, path)}; empty when absent or invalid. */
  <T> Optional<T> get(String key, BiFunction<Node, String, Optional<T>> read) {
    return value(key).flatMap(node -> read.apply(node, path(key)));
  }

  Optional<Node> keyNode(String key) {
    return Optional.ofNullable(entries.get(key)).map(NodeTuple::getKeyNode);
  }

  /** The entries in file order. */
  List<NodeTuple> tuples() {
    return List.copyOf(entries.values());
  }
}
