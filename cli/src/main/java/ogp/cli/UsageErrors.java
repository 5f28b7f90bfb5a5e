package ogp.cli;

import picocli.CommandLine;

/**
 * Bad usage: the message, the nearest commands or options for a mistyped word, a pointer to --help,
 * exit code 2.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  @Override
  public int handleParseException(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.getSuggestions().isEmpty()) {
      cli.getErr()
          .println(
              "Did you mean: "
                  + String.join(", ", unmatched.getSuggestions().stream().limit(3).toList())
                  + "?");
    }
    cli.getErr().println("Try '" + cli.getCommandSpec().qualifiedName() + " --help'.");
    return 2;
  }
}
