package ogp.cli;

import picocli.CommandLine;

/**
 * Turns a failed operation into one sentence on stderr and exit code 1 (or the code a
 * {@link CommandFailure} carries). The stack trace is printed only when OGP_DEBUG is set, because
 * operators read these messages in CI logs where a trace hides the cause.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    String name = cli.getCommandSpec().qualifiedName();
    cli.getErr().println(name + ": " + describe(e));
    if (System.getenv("OGP_DEBUG") != null) e.printStackTrace(cli.getErr());
    return e instanceof CommandFailure failure ? failure.exitCode() : 1;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      Throwable cause = e.getCause();
      return cause != null ? describe(cause) : e.getClass().getSimpleName();
    }
    return message;
  }
}
