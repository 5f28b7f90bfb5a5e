package ogp.cli;

import ogp.reconciler.source.Redaction;
import picocli.CommandLine;

/**
 * Turns a failed operation into one sentence on stderr and exit code 1 (or the code a {@link
 * CommandFailure} carries). The stack trace is printed only when OGP_DEBUG is set, because
 * operators read these messages in CI logs where a trace hides the cause.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    String name = cli.getCommandSpec().qualifiedName();
    // Messages of libraries may quote a URL with credentials; the terminal and CI logs must not.
    cli.getErr().println(name + ": " + Redaction.redact(describe(e)));
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
