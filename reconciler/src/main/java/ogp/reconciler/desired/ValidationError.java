package ogp.reconciler.desired;

/**
 * One problem of a desired-state tree, printed as {@code file:line:col: message}. The message says
 * what is wrong and what was expected.
 */
public record ValidationError(SourcePosition position, String message) {
  @Override
  public String toString() {
    return position + ": " + message;
  }
}
