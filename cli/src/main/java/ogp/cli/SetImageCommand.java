package ogp.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import ogp.reconciler.changes.Actor;
import ogp.reconciler.changes.ChangeRefused;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.changes.InvalidChange;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ogp set-image APP VERSION}: for CI pipelines. Commits the app's new version to the
 * followed branch and pushes it, with the same change service the API and portal use: only the
 * version's bytes change, the result is validated before the push, a push that lost a race is
 * re-applied on the new tip, and a version already set makes no commit. Works on any remote
 * without a clone to maintain: the repository is mirrored into a temporary directory.
 */
@Command(
    name = "set-image",
    mixinStandardHelpOptions = true,
    description = "Commits a new image version of an app and pushes it (for CI pipelines such as Jenkins).")
final class SetImageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "APP", description = "The app's name.")
  String app;

  @Parameters(index = "1", paramLabel = "VERSION", description = "The new image tag, e.g. the build number.")
  String version;

  @Option(names = "--repo", required = true, defaultValue = "${env:OGP_REPO}", description = "The desired-state repository: URL or local path.")
  String repo;

  @Option(names = "--branch", defaultValue = "${env:OGP_BRANCH:-main}", description = "Branch the reconciler follows (default: ${DEFAULT-VALUE}).")
  String branch;

  @Option(names = "--path", defaultValue = "${env:OGP_PATH:-}", description = "Directory of the repository holding the desired state (default: the root).")
  String path;

  @Option(names = "--message", defaultValue = "${env:OGP_MESSAGE}", description = "Commit subject (default: Deploy APP VERSION).")
  String message;

  @Option(names = "--actor", defaultValue = "${env:OGP_ACTOR:-${env:BUILD_TAG:-}}",
      description = "Who ships it, for the author and the Ogp-Actor trailer (default: $BUILD_TAG, else the user).")
  String actor;

  @Option(names = "--author-email", defaultValue = "${env:OGP_AUTHOR_EMAIL:-${env:GIT_AUTHOR_EMAIL:-}}",
      description = "Author email (default: $GIT_AUTHOR_EMAIL, else <actor>@ogp.local).")
  String authorEmail;

  @Override
  public Integer call() throws Exception {
    String who = actor == null || actor.isBlank() ? System.getProperty("user.name", "ogp") : actor.strip();
    String email = authorEmail == null || authorEmail.isBlank() ? who.replaceAll("[^A-Za-z0-9._-]", "-") + "@ogp.local" : authorEmail.strip();
    Path scratch = Files.createTempDirectory("ogp-set-image");
    try (GitMirror mirror = GitMirror.open(new GitRemote(repo, branch, path, GitCredentials.fromEnvironment(System.getenv())), scratch)) {
      ChangeService changes = new ChangeService(mirror, () -> {});
      ChangeResult result = changes.deploy(app, Optional.of(version), Optional.empty(), new Actor(who, email, who),
          Optional.ofNullable(message));
      var out = spec.commandLine().getOut();
      if (result.commit().isEmpty()) {
        out.println(app + " is already at " + version + "; nothing to commit");
      } else {
        out.println(result.commit().get());
        spec.commandLine().getErr().println("committed and pushed: " + result.subject());
      }
      out.flush();
      return 0;
    } catch (InvalidChange e) {
      e.errors().forEach(spec.commandLine().getErr()::println);
      throw new CommandFailure(e.getMessage());
    } catch (ChangeRefused e) { // conflicts and unknown apps too: one sentence each
      throw new CommandFailure(e.getMessage());
    } finally {
      try (var paths = Files.walk(scratch)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
