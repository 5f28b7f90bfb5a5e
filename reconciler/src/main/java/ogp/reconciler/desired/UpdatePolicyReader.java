package ogp.reconciler.desired;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads {@code update:}; every key is optional and falls back to {@link UpdatePolicy#DEFAULT}
 * (all hosts at once, 60s healthy deadline, no automatic rollback).
 */
final class UpdatePolicyReader {
  private static final List<String> KEYS = List.of("maxParallel", "healthyDeadline", "autoRollback");

  private final NodeValues values;

  UpdatePolicyReader(NodeValues values) {
    this.values = values;
  }

  Optional<UpdatePolicy> read(Node node, String path) {
    Optional<MappingNode> mappingNode =
        values.mapping(node, path, "maxParallel, healthyDeadline, autoRollback");
    if (mappingNode.isEmpty()) return Optional.empty();
    YamlMapping update = YamlMapping.read(mappingNode.get(), path, KEYS, values.diagnostics());
    UpdatePolicy defaults = UpdatePolicy.DEFAULT;
    int maxParallel = update.value("maxParallel")
        .flatMap(v -> values.integer(v, update.path("maxParallel"), 1, Integer.MAX_VALUE))
        .orElse(defaults.maxParallel());
    Duration deadline = update.value("healthyDeadline")
        .flatMap(v -> values.duration(v, update.path("healthyDeadline"), false))
        .orElse(defaults.healthyDeadline());
    boolean autoRollback = update.value("autoRollback")
        .flatMap(v -> values.bool(v, update.path("autoRollback")))
        .orElse(defaults.autoRollback());
    return Optional.of(new UpdatePolicy(maxParallel, deadline, autoRollback));
  }
}
