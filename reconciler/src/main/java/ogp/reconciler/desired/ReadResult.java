package ogp.reconciler.desired;

import java.util.List;

/**
 * The outcome of reading a whole desired-state tree. A tree is all or nothing: with any error there
 * is no {@link DesiredState} (it is {@code null}), so an invalid revision can never be applied in
 * part.
 *
 * @param state the desired state, {@code null} when {@code errors} is not empty
 * @param errors every error of the tree, sorted by file, line and column
 * @param warnings things that are allowed but worth telling, e.g. ignored files
 */
public record ReadResult(DesiredState state, List<ValidationError> errors, List<String> warnings) {
  public ReadResult {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
    if (errors.isEmpty() == (state == null)) {
      throw new IllegalArgumentException("state must be present exactly when there are no errors");
    }
  }

  /** Whether the tree validated, i.e. {@link #state()} is present. */
  public boolean valid() {
    return errors.isEmpty();
  }
}
