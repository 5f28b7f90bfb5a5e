package ogp.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ogp rollback}: part of the contract (SPEC §3) that this build does not implement yet. */
@Command(name = "rollback", mixinStandardHelpOptions = true, description = "Asks the server to roll an app back with a revert commit. (Not available in this build yet.)")
final class RollbackCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", hidden = true)
  List<String> ignored;

  @Override
  public Integer call() {
    throw new CommandFailure("'ogp rollback' is not available in this build yet; see the README for what is");
  }
}
