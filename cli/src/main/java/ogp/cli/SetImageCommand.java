package ogp.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ogp set-image}: part of the contract (SPEC §3) that this build does not implement yet. */
@Command(name = "set-image", mixinStandardHelpOptions = true, description = "Commits a new image version of an app and pushes it (for CI pipelines). (Not available in this build yet.)")
final class SetImageCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", hidden = true)
  List<String> ignored;

  @Override
  public Integer call() {
    throw new CommandFailure("'ogp set-image' is not available in this build yet; see the README for what is");
  }
}
