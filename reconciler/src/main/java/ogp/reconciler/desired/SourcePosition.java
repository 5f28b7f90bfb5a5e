package ogp.reconciler.desired;

/** A place in a file of the desired-state tree; line and column are 1-based. */
public record SourcePosition(String file, int line, int column) {
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
