package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every flag of every command reads OGP_&lt;FLAG&gt; when it is not on the command line, as the
 * README says.
 */
class EnvironmentDefaultsTest {
  @TempDir Path tmp;

  @Test
  void everyFlagOfEveryCommandTakesItsValueFromItsOgpVariable() {
    List<String> checked = new ArrayList<>();
    walk(
        Main.commandLine(Map.of()),
        command -> {
          String name = command.getCommandSpec().qualifiedName();
          Map<String, String> env = new HashMap<>();
          for (OptionSpec option : flags(command))
            env.put(EnvironmentDefaults.variableOf(option), sample(option));
          if (flags(command).isEmpty()) return;
          // Parsed with nothing but the command's name and placeholders for its positional
          // parameters:
          // every flag comes from its variable.
          CommandLine root = Main.commandLine(env);
          CommandLine fresh = find(root, name);
          List<String> args =
              new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
          fresh
              .getCommandSpec()
              .positionalParameters()
              .forEach(
                  p -> {
                    if (p.required()) args.add("x");
                  });
          root.parseArgs(args.toArray(String[]::new));
          for (OptionSpec option : flags(fresh)) {
            Object value = option.getValue();
            String shown =
                value instanceof List<?> list && list.size() == 1
                    ? String.valueOf(list.get(0))
                    : String.valueOf(value);
            assertEquals(
                expected(option).toLowerCase(java.util.Locale.ROOT),
                shown.toLowerCase(java.util.Locale.ROOT),
                name
                    + " "
                    + option.longestName()
                    + " from "
                    + EnvironmentDefaults.variableOf(option));
            checked.add(name + " " + option.longestName());
          }
        });
    assertTrue(checked.contains("ogp set-image --timeout"), checked.toString());
    assertTrue(checked.contains("ogp status --output"), checked.toString());
    assertTrue(checked.contains("ogp hash-password --role"), checked.toString());
    assertTrue(checked.contains("ogp server --repo"), checked.toString());
    // Options of a mixin (RepositoryOptions) are the command's options, and read their variables
    // too.
    assertTrue(checked.contains("ogp diff --branch"), checked.toString());
    assertTrue(checked.contains("ogp set-image --path"), checked.toString());
    assertTrue(checked.contains("ogp dev --git-timeout"), checked.toString());
    assertTrue(checked.size() > 60, "the whole tree was walked: " + checked.size());
  }

  private static List<OptionSpec> flags(CommandLine command) {
    return command.getCommandSpec().options().stream()
        .filter(o -> !o.usageHelp() && !o.versionHelp())
        .toList();
  }

  /** How the parsed value of {@link #sample} reads back. */
  private static String expected(OptionSpec option) {
    Class<?> type = option.type();
    if (type == Duration.class) return Duration.ofSeconds(42).toString();
    if (type == Path.class) return Path.of("/from/env").toString();
    return sample(option);
  }

  @Test
  void aFlagOnTheCommandLineWinsOverItsVariableAndTheVariableOverTheBuiltInDefault() {
    Map<String, String> env =
        new HashMap<>(Map.of("OGP_OUTPUT", "json", "OGP_SERVER", "http://127.0.0.1:1"));
    OgpRun fromEnv = run(env, "status");
    assertTrue(
        fromEnv.err().contains("http://127.0.0.1:1"), "OGP_SERVER is read: " + fromEnv.err());
    OgpRun badOutput =
        run(Map.of("OGP_OUTPUT", "yaml"), "status", "--server", "http://127.0.0.1:1");
    assertEquals(2, badOutput.exit(), "OGP_OUTPUT is read (and refused): " + badOutput.err());
    OgpRun flagWins =
        run(
            Map.of("OGP_OUTPUT", "yaml"),
            "status",
            "--server",
            "http://127.0.0.1:1",
            "--output",
            "table");
    assertEquals(
        1, flagWins.exit(), "the flag wins, then the server cannot be reached: " + flagWins.err());
  }

  /**
   * The walk above reads values back through the option's model; this one runs a command whose
   * --repo and --path are in a mixin ({@link RepositoryOptions}) and sees that the command used
   * them.
   */
  @Test
  void aFlagOfAMixinIsReadFromItsVariableByTheCommandThatRuns() {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      // Outside fleet/, a file that does not validate: read only when OGP_PATH is not.
      repo.commit("Elsewhere", Map.of("other/apps/broken.yaml", "app: [\n"));
      String from =
          repo.commit(
              "Start",
              Map.of(
                  "fleet/apps/web.yaml",
                  "app: web\nimage: busybox\nversion: \"41\"\nhosts: [host-a]\n"));
      String to =
          repo.commit(
              "Deploy 42",
              Map.of(
                  "fleet/apps/web.yaml",
                  "app: web\nimage: busybox\nversion: \"42\"\nhosts: [host-a]\n"));
      OgpRun run =
          run(
              Map.of("OGP_REPO", repo.path().toString(), "OGP_PATH", "fleet"),
              "diff",
              "--from",
              from,
              "--to",
              to);
      assertEquals(0, run.exit(), run.err());
      assertEquals("~ web 41 -> 42 on host-a\n", run.out());
      OgpRun withoutPath =
          run(Map.of("OGP_REPO", repo.path().toString()), "diff", "--from", from, "--to", to);
      assertEquals(
          1,
          withoutPath.exit(),
          "the whole repository, with the broken file: " + withoutPath.err());
    }
  }

  private static OgpRun run(Map<String, String> env, String... args) {
    var out = new java.io.StringWriter();
    var err = new java.io.StringWriter();
    int exit =
        Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), env, args);
    return new OgpRun(exit, out.toString(), err.toString());
  }

  /** A value of the option's type that its converter accepts. */
  private static String sample(OptionSpec option) {
    for (CommandLine.ITypeConverter<?> converter : option.converters()) {
      for (String candidate : List.of("from-env", "admin", "42s", "https://from-env.example")) {
        try {
          converter.convert(candidate);
          return candidate;
        } catch (Exception refused) {
          // try the next candidate
        }
      }
    }
    Class<?> type = option.type();
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class)
      return "4242";
    if (type == Duration.class) return "42s";
    if (type == boolean.class || type == Boolean.class) return "true";
    if (type == Path.class) return "/from/env";
    return "from-env";
  }

  private static void walk(CommandLine cli, java.util.function.Consumer<CommandLine> visit) {
    visit.accept(cli);
    cli.getSubcommands().values().forEach(sub -> walk(sub, visit));
  }

  private static CommandLine find(CommandLine root, String qualifiedName) {
    if (root.getCommandSpec().qualifiedName().equals(qualifiedName)) return root;
    for (CommandLine sub : root.getSubcommands().values()) {
      CommandLine found = find(sub, qualifiedName);
      if (found != null) return found;
    }
    return null;
  }
}
