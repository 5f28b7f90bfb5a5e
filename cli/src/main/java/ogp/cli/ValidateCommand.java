package ogp.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.ReadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ogp validate [DIR]}: every error as file:line:col: message; exit 1 if any. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Validates a desired-state tree and prints every error as file:line:col: message.")
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      description = "The desired-state directory (default: the current directory).")
  Path dir;

  /**
   * No printed message is longer than this: a file of one huge line must not make one huge line of
   * output.
   */
  static final int MESSAGE_MAX = 500;

  static String bounded(String message) {
    return message.length() <= MESSAGE_MAX
        ? message
        : message.substring(0, MESSAGE_MAX)
            + "… ("
            + (message.length() - MESSAGE_MAX)
            + " more characters)";
  }

  private boolean dirGiven() {
    return spec.commandLine().getParseResult().hasMatchedPositional(0);
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(dir)) throw new CommandFailure(dir + " is not a directory", 2);
    ReadResult result = new DesiredStateReader().readTree(dir);
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    // Said in full: `ogp validate` without DIR in a repository root also reads what lies below it.
    String read =
        dir.toAbsolutePath().normalize()
            + (dirGiven() ? "" : " (the current directory; give DIR to read another)");
    result.warnings().forEach(w -> err.println("warning: " + bounded(w.toString())));
    if (!result.valid()) {
      result.errors().forEach(e -> out.println(bounded(e.toString())));
      err.println(result.errors().size() + " error(s) in " + read);
      return 1;
    }
    out.println("valid: " + result.state().apps().size() + " app(s) in " + read);
    return 0;
  }
}
