package ogp.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ogp watch}: part of the contract (SPEC §3) that this build does not implement yet. */
@Command(name = "watch", mixinStandardHelpOptions = true, description = "Follows the watch stream of a server and prints its events. (Not available in this build yet.)")
final class WatchCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", hidden = true)
  List<String> ignored;

  @Override
  public Integer call() {
    throw new CommandFailure("'ogp watch' is not available in this build yet; see the README for what is");
  }
}
