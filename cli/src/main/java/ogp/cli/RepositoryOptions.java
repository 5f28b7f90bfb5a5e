package ogp.cli;

import java.time.Duration;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The desired-state repository of the commands that go to Git themselves ({@code ogp server},
 * {@code ogp diff}, {@code ogp set-image}): {@code --repo}, {@code --branch} and {@code --path},
 * and the {@link GitRemote} they name. Defined once so that the flags' names, defaults and {@code
 * OGP_} variables ({@link EnvironmentDefaults}) are the same in every command, and so that every
 * command takes the Git credentials from the environment the same way.
 *
 * <p>Where the commands differ, they differ on purpose, and it shows in which mixin they take:
 *
 * <ul>
 *   <li>{@link Required} or {@link NotRequired}: {@code ogp set-image} may go through the server
 *       instead of to Git, so its {@code --repo} may be left out. {@code ogp dev} has a {@code
 *       --repo} of its own: it stands in for the repository {@code ogp dev} makes, followed at
 *       {@code main} and its root, so {@code ogp dev} has neither {@code --branch} nor {@code
 *       --path}; it builds its remote with {@link #remote(String, String, String)}.
 *   <li>{@link GitTimeout} is a mixin of its own, for {@code ogp dev} too; {@code ogp diff} has no
 *       {@code --git-timeout} (its mirror waits {@link
 *       ogp.reconciler.source.GitMirror#DEFAULT_TIMEOUT}).
 *   <li>What a flag means to a command is worded in {@code RepositoryOptions.properties}, keyed by
 *       the command ({@code ogp.diff.branch}: {@code ogp diff} reads a local clone as it is and
 *       mirrors only a URL); the {@code description} here is the wording of every command without a
 *       key of its own.
 * </ul>
 */
@Command(resourceBundle = "ogp.cli.RepositoryOptions")
abstract class RepositoryOptions {
  @Option(
      names = "--branch",
      defaultValue = "main",
      descriptionKey = "branch",
      description = "Branch to follow (default: ${DEFAULT-VALUE}).")
  String branch;

  @Option(
      names = "--path",
      defaultValue = "",
      description = "Directory of the repository holding the desired state (default: the root).")
  String path;

  /**
   * The repository as given: a URL or a local path; null when a {@link NotRequired} one was left
   * out.
   */
  abstract String repo();

  /** The repository at {@code --branch} and {@code --path}. */
  GitRemote remote() {
    return remote(repo(), branch, path);
  }

  /**
   * A remote with the Git credentials of the environment ({@code OGP_GIT_*}), for every command
   * that goes to Git.
   */
  static GitRemote remote(String url, String branch, String path) {
    return new GitRemote(url, branch, path, GitCredentials.fromEnvironment(System.getenv()));
  }

  /** {@code --repo} must be given ({@code ogp server}, {@code ogp diff}). */
  static final class Required extends RepositoryOptions {
    @Option(
        names = "--repo",
        required = true,
        descriptionKey = "repo",
        description = "Repository to follow: file://, local path, https:// or ssh:// URL.")
    String repo;

    @Override
    String repo() {
      return repo;
    }
  }

  /**
   * {@code --repo} may be left out: {@code ogp set-image}, which may go through the server instead.
   */
  static final class NotRequired extends RepositoryOptions {
    @Option(
        names = "--repo",
        descriptionKey = "repo",
        description = "The desired-state repository: URL or local path (Git mode).")
    String repo;

    @Override
    String repo() {
      return repo;
    }

    boolean given() {
      return repo != null && !repo.isBlank();
    }
  }

  /**
   * {@code --git-timeout} ({@code ogp server}, {@code ogp dev}, {@code ogp set-image}): JGit's own
   * default is to wait forever.
   */
  @Command(resourceBundle = "ogp.cli.RepositoryOptions")
  static final class GitTimeout {
    @Option(
        names = "--git-timeout",
        defaultValue = "20s",
        converter = DurationConverter.class,
        descriptionKey = "git-timeout",
        description =
            "How long one connect or read of the Git remote may wait before the fetch or push fails (default: ${DEFAULT-VALUE}).")
    Duration gitTimeout;
  }
}
