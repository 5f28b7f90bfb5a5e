package ogp.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ogp} command. Exit codes: 0 success, 1 the operation failed, 2 bad usage. Errors are
 * one sentence on stderr; a stack trace only with {@code OGP_DEBUG=1}.
 */
@Command(
    name = "ogp",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "GitOps reconciler for fleets of Docker hosts.",
    subcommands = {
      DevCommand.class,
      ServerCommand.class,
      AgentCommand.class,
      ValidateCommand.class,
      DiffCommand.class,
      SetImageCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      RollbackCommand.class,
      RefreshCommand.class,
      HashPasswordCommand.class,
      CertsCommand.class,
      TokensCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with its output and errors going to the given writers (for tests). */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new OneLineErrors());
    cli.setParameterExceptionHandler(new UsageErrors());
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ogp " + version()};
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
