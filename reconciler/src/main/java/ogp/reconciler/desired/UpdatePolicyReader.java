package ogp.reconciler.desired;

import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads {@code update:}; every key is optional and falls back to {@link UpdatePolicy#DEFAULT} (all
 * hosts at once, 60s healthy deadline, no automatic rollback).
 */
final class UpdatePolicyReader {
  private static final List<String> KEYS =
      List.of("maxParallel", "healthyDeadline", "autoRollback");

  private final NodeValues values;

  UpdatePolicyReader(NodeValues values) {
    this.values = values;
  }

  Optional<UpdatePolicy> read(Node node, String path) {
    return values
        .section(node, path, KEYS)
        .map(
            update ->
                new UpdatePolicy(
                    update
                        .get("maxParallel", (v, p) -> values.integer(v, p, 1, Integer.MAX_VALUE))
                        .orElse(UpdatePolicy.DEFAULT.maxParallel()),
                    update
                        .get("healthyDeadline", (v, p) -> values.duration(v, p, false))
                        .orElse(UpdatePolicy.DEFAULT.healthyDeadline()),
                    update
                        .get("autoRollback", values::bool)
                        .orElse(UpdatePolicy.DEFAULT.autoRollback())));
  }
}
