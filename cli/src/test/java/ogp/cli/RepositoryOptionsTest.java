package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;
import ogp.reconciler.source.GitRemote;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The repository flags are defined once ({@link RepositoryOptions}) and still say what they mean to
 * each command: a misspelt key in RepositoryOptions.properties would silently give a command the
 * wording of another.
 */
class RepositoryOptionsTest {

  @Test
  void eachCommandKeepsItsOwnWordingOfTheRepositoryFlags() {
    Map<String, String> wording =
        Map.ofEntries(
            Map.entry(
                "server --repo",
                "Repository to follow: file://, local path, https:// or ssh:// URL."),
            Map.entry("server --branch", "Branch to follow (default: main)."),
            Map.entry(
                "server --path",
                "Directory of the repository holding the desired state (default: the root)."),
            Map.entry(
                "server --git-timeout",
                "How long one connect or read of the Git remote may wait before the fetch or push fails (default: 20s)."),
            Map.entry("diff --repo", "A local clone, or a repository URL."),
            Map.entry("diff --branch", "Branch to mirror when --repo is a URL (default: main)."),
            Map.entry(
                "diff --path",
                "Directory of the repository holding the desired state (default: the root)."),
            Map.entry(
                "set-image --repo", "The desired-state repository: URL or local path (Git mode)."),
            Map.entry("set-image --branch", "Branch the reconciler follows (default: main)."),
            Map.entry(
                "set-image --path",
                "Directory of the repository holding the desired state (default: the root)."),
            Map.entry(
                "set-image --git-timeout",
                "Git mode: how long one connect or read of the remote may wait (default: 20s)."),
            Map.entry(
                "dev --repo",
                "Repository to follow instead of the dev repository made from example-desired-state/."),
            Map.entry(
                "dev --git-timeout",
                "How long one connect or read of the Git remote may wait before the fetch or push fails (default: 20s)."));
    wording.forEach(
        (commandAndFlag, expected) -> {
          assertEquals(expected, renderedDescription(option(commandAndFlag)), commandAndFlag);
        });
  }

  @Test
  void repoIsRequiredWhereTheCommandCannotDoWithoutIt() {
    assertEquals(true, option("server --repo").required());
    assertEquals(true, option("diff --repo").required());
    assertEquals(
        false, option("set-image --repo").required(), "set-image may go through --server instead");
    assertEquals(false, option("dev --repo").required(), "dev makes its own repository");
  }

  @Test
  void theRemoteIsTheRepositoryAtTheBranchAndPathGiven() {
    CommandLine cli = Main.commandLine(Map.of());
    cli.parseArgs(
        "server",
        "--repo",
        "https://git.example/fleet.git",
        "--branch",
        "prod",
        "--path",
        "fleet",
        "--git-timeout",
        "5s");
    ServerCommand server = cli.getSubcommands().get("server").getCommand();
    GitRemote remote = server.repository.remote();
    assertEquals("https://git.example/fleet.git", remote.url());
    assertEquals("prod", remote.branch());
    assertEquals("fleet", remote.path());
    assertEquals(Duration.ofSeconds(5), server.git.gitTimeout);

    cli = Main.commandLine(Map.of());
    cli.parseArgs("set-image", "web", "42", "--server", "http://127.0.0.1:1");
    SetImageCommand setImage = cli.getSubcommands().get("set-image").getCommand();
    assertEquals(false, setImage.repository.given());
    assertNull(setImage.repository.repo());
    assertEquals("main", setImage.repository.branch);
    assertEquals("", setImage.repository.path);
  }

  private static OptionSpec option(String commandAndFlag) {
    String[] words = commandAndFlag.split(" ");
    return Main.commandLine(Map.of())
        .getSubcommands()
        .get(words[0])
        .getCommandSpec()
        .findOption(words[1]);
  }

  /** The description as --help shows it, on one line, with ${DEFAULT-VALUE} filled in. */
  private static String renderedDescription(OptionSpec option) {
    return String.join(" ", option.description())
        .replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue()));
  }
}
