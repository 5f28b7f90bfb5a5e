package ogp.cli;

/** A failure the command has already described in one sentence; carries the exit code. */
final class CommandFailure extends RuntimeException {
  private final int exitCode;

  CommandFailure(String message) {
    this(message, 1);
  }

  CommandFailure(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
