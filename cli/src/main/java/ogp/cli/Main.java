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
      ConfirmCommand.class,
      HashPasswordCommand.class,
      CertsCommand.class,
      TokensCommand.class,
      HostsCommand.class,
      ClusterCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String... args) {
    return run(
        new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with its output and errors going to the given writers (for tests). */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /**
   * Like {@link #run(java.io.PrintWriter, java.io.PrintWriter, String...)}, with flags' defaults
   * read from {@code environment}.
   */
  static int run(
      java.io.PrintWriter out,
      java.io.PrintWriter err,
      java.util.Map<String, String> environment,
      String... args) {
    CommandLine cli = commandLine(environment);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new OneLineErrors());
    cli.setParameterExceptionHandler(new UsageErrors());
    // `ogp nosuch --help` must not print the top-level help and exit 0: an unknown word is bad
    // usage
    // even when help is asked for (picocli skips that check once a help option matched).
    cli.setExecutionStrategy(
        parsed -> {
          for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty())
              throw new CommandLine.UnmatchedArgumentException(
                  p.commandSpec().commandLine(), p.unmatched());
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    return cli.execute(args);
  }

  /**
   * The whole command tree, with every flag's default from {@code OGP_<FLAG>} ({@link
   * EnvironmentDefaults}).
   */
  static CommandLine commandLine(java.util.Map<String, String> environment) {
    CommandLine cli = new CommandLine(new Main());
    cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
    return cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version of the build, for {@code ogp --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ogp " + version()};
    }
  }

  /**
   * The build's version: from the jar's manifest, else from version.properties (classes run by
   * tests and IDEs).
   */
  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    if (v != null) return v;
    try (var in = Main.class.getResourceAsStream("version.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
