package ogp.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.ReadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ogp validate [DIR]}: every error as file:line:col: message; exit 1 if any. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Validates a desired-state tree and prints every error as file:line:col: message.")
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = "${env:OGP_DIR:-.}",
      description = "The desired-state directory (default: the current directory).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(dir)) throw new CommandFailure(dir + " is not a directory", 2);
    ReadResult result = new DesiredStateReader().readTree(dir);
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    result.warnings().forEach(w -> err.println("warning: " + w));
    if (!result.valid()) {
      result.errors().forEach(e -> out.println(e));
      err.println(result.errors().size() + " error(s) in " + dir);
      return 1;
    }
    out.println("valid: " + result.state().apps().size() + " app(s) in " + dir);
    return 0;
  }
}
