package ogp.reconciler.changes;

import java.util.List;
import ogp.reconciler.desired.ValidationError;

/**
 * The desired state the change would produce does not validate; nothing was committed or pushed.
 */
public final class InvalidChange extends ChangeRefused {
  private final List<ValidationError> errors;

  public InvalidChange(String app, List<ValidationError> errors) {
    super(
        "The change to "
            + app
            + " would make the desired state invalid: "
            + errors.stream()
                .map(Object::toString)
                .reduce((a, b) -> a + "; " + b)
                .orElse("(no details)"));
    this.errors = List.copyOf(errors);
  }

  /** Every validation error of the resulting tree, as {@code file:line:col: message}. */
  public List<ValidationError> errors() {
    return errors;
  }
}
