package ogp.reconciler.desired;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Collects the errors and warnings of one file. Positions come from snakeyaml marks, which are
 * 0-based; ours are 1-based, so the conversion lives here and nowhere else.
 */
final class Diagnostics {
  private final String file;
  private final List<ValidationError> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  Diagnostics(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  /** Reports {@code message} about the value at {@code path}, positioned at {@code node}. */
  void error(Node node, String path, String message) {
    errors.add(new ValidationError(position(node), path + ": " + message));
  }

  /** Reports a problem that has no key path (e.g. a syntax error). */
  void error(SourcePosition position, String message) {
    errors.add(new ValidationError(position, message));
  }

  void warning(String message) {
    warnings.add(message);
  }

  int errorCount() {
    return errors.size();
  }

  List<ValidationError> errors() {
    return List.copyOf(errors);
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  SourcePosition position(Node node) {
    return position(node.getStartMark());
  }

  SourcePosition position(Optional<Mark> mark) {
    return mark.map(m -> new SourcePosition(file, m.getLine() + 1, m.getColumn() + 1))
        .orElse(new SourcePosition(file, 1, 1));
  }
}
