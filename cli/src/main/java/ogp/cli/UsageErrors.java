package ogp.cli;

import picocli.CommandLine;

/** Bad usage: the message, a pointer to --help, exit code 2. */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  @Override
  public int handleParseException(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    cli.getErr().println("Try '" + cli.getCommandSpec().qualifiedName() + " --help'.");
    return 2;
  }
}
