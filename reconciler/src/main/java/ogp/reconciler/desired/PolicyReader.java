package ogp.reconciler.desired;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Validates the policy file ({@code ogp.yaml}, {@code kind: Policy}) as one document. Like an app
 * document: unknown keys, wrong types and duplicate keys are errors at {@code file:line:col}, every
 * key is checked even after an error, and a {@link Policy} is built only when there was none. A
 * missing setting has its default. A new setting is a key in {@link #KEYS} and a component of
 * {@link Policy}.
 */
final class PolicyReader {
  static final List<String> KEYS = List.of("kind", "massRemoval");
  private static final List<String> MASS_REMOVAL_KEYS = List.of("threshold");
  private static final Pattern PERCENT = Pattern.compile("([0-9]{1,3})\\s*%");
  private static final String THRESHOLD_EXPECTED =
      "expected a share of the fleet's containers such as 50% (0%-100%), or off";

  private final Diagnostics diagnostics;
  private final NodeValues values;

  PolicyReader(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.values = new NodeValues(diagnostics);
  }

  /** The policy of the file's documents; empty (with errors reported) when it is not valid. */
  Optional<Policy> read(List<Node> documents) {
    int before = diagnostics.errorCount();
    if (documents.size() != 1 || !(documents.get(0) instanceof MappingNode document)) {
      Node at = documents.isEmpty() ? null : documents.get(documents.size() > 1 ? 1 : 0);
      String problem =
          "the policy file holds exactly one document, a mapping with kind: Policy"
              + (at == null ? "" : ", found " + NodeValues.describe(at));
      if (at == null) diagnostics.error(new SourcePosition(diagnostics.file(), 1, 1), problem);
      else diagnostics.error(at, "(document)", problem);
      return Optional.empty();
    }
    YamlMapping doc = YamlMapping.read(document, "", KEYS, diagnostics);
    Optional<Node> kind = doc.value("kind");
    if (kind.isEmpty()) {
      diagnostics.error(
          document,
          "kind",
          "missing (the file ogp.yaml at the desired-state root is the policy file: kind: Policy)");
    } else {
      values
          .string(kind.get(), "kind")
          .filter(k -> !k.equals("Policy"))
          .ifPresent(
              k ->
                  diagnostics.error(
                      kind.get(),
                      "kind",
                      NodeValues.quote(k)
                          + " is not allowed here (the file ogp.yaml at the desired-state root is"
                          + " the policy file: kind: Policy)"));
    }
    Policy.MassRemoval massRemoval =
        doc.get("massRemoval", this::massRemoval).orElse(Policy.MassRemoval.DEFAULT);
    if (diagnostics.errorCount() > before) return Optional.empty();
    return Optional.of(new Policy(massRemoval));
  }

  private Optional<Policy.MassRemoval> massRemoval(Node node, String path) {
    return values
        .section(node, path, MASS_REMOVAL_KEYS)
        .map(
            section ->
                section.get("threshold", this::threshold).orElse(Policy.MassRemoval.DEFAULT));
  }

  private Optional<Policy.MassRemoval> threshold(Node node, String path) {
    Optional<String> text = values.string(node, path);
    if (text.isEmpty()) return Optional.empty();
    String value = text.get().strip();
    if (value.equals("off")) return Optional.of(Policy.MassRemoval.OFF);
    Matcher percent = PERCENT.matcher(value);
    if (percent.matches() && Integer.parseInt(percent.group(1)) <= 100) {
      return Optional.of(Policy.MassRemoval.percent(Integer.parseInt(percent.group(1))));
    }
    diagnostics.error(
        node, path, NodeValues.quote(text.get()) + " is not valid (" + THRESHOLD_EXPECTED + ")");
    return Optional.empty();
  }
}
