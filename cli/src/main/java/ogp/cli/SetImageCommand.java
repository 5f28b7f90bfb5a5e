package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import ogp.reconciler.changes.Actor;
import ogp.reconciler.changes.ChangeRefused;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.changes.InvalidChange;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitSourceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ogp set-image APP VERSION}: for CI pipelines. Two ways to the branch, one result: a commit
 * that changes only the version's bytes, validated before it lands; a version already set makes no
 * commit.
 *
 * <ul>
 *   <li>{@code --server URL}: the server's change path (the portal's), which takes changes one at a
 *       time in arrival order, so none is refused for a race. Recommended for CI; needs a token
 *       with the deployer role. The token's name is the commit author.
 *   <li>{@code --repo URL}: straight to Git, with the same change service the server uses. The
 *       repository is mirrored into a temporary directory; a push that lost a race is re-applied on
 *       the new tip with jittered backoff until {@code --timeout} is spent.
 * </ul>
 */
@Command(
    name = "set-image",
    mixinStandardHelpOptions = true,
    description =
        "Commits a new image version of an app (for CI pipelines such as Jenkins): through the server with --server,"
            + " or straight to Git with --repo.")
final class SetImageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "APP", description = "The app's name.")
  String app;

  @Parameters(
      index = "1",
      paramLabel = "VERSION",
      description = "The new image tag, e.g. the build number.")
  String version;

  /**
   * --repo, --branch and --path (Git mode); their wording for set-image is in
   * RepositoryOptions.properties.
   */
  @Mixin RepositoryOptions.NotRequired repository;

  @Option(
      names = "--server",
      description =
          "The OGP server's URL: commit through its serialized change path instead of pushing to Git (recommended for CI).")
  String server;

  /** With --server: a token with the deployer role ({@code --token} or {@code --token-file}). */
  @Mixin TokenOptions tokens;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "With an https --server: trust its certificate only when this CA (PEM) signed it, e.g. a"
              + " copy of the server's <data-dir>/pki/ca.crt.")
  java.nio.file.Path caFile;

  @Option(
      names = "--timeout",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description =
          "How long to keep trying while the branch keeps moving (Git mode) or to wait for the server (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--message", description = "Commit subject (default: Deploy APP VERSION).")
  String message;

  @Option(
      names = "--actor",
      defaultValue = "${env:BUILD_TAG:-}",
      description =
          "Git mode: who ships it, for the author and the Ogp-Actor trailer (default: $BUILD_TAG, else the user)."
              + " With --server the token's name is the author.")
  String actor;

  @Option(
      names = "--author-email",
      defaultValue = "${env:GIT_AUTHOR_EMAIL:-}",
      description = "Git mode: author email (default: $GIT_AUTHOR_EMAIL, else <actor>@ogp.local).")
  String authorEmail;

  @Mixin RepositoryOptions.GitTimeout git;

  @Override
  public Integer call() throws Exception {
    boolean viaServer = server != null && !server.isBlank();
    boolean viaGit = repository.given();
    if (viaServer == viaGit) {
      throw new CommandFailure(
          "give either --server URL (through the server, recommended for CI) or --repo URL (straight to Git)",
          2);
    }
    if (timeout.isZero() || timeout.isNegative())
      throw new CommandFailure("--timeout must be positive, e.g. 2m", 2);
    return viaServer ? throughServer() : throughGit();
  }

  private int throughServer() {
    ApiClient api = new ApiClient();
    api.server = server;
    api.tokens = tokens;
    api.caFile = caFile;
    ObjectNode body = JSON.createObjectNode().put("version", version);
    if (message != null && !message.isBlank()) body.put("message", message);
    String url = "/api/v1/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/deploy";
    JsonNode answer = api.post(url, body.toString(), timeout);
    String commit = answer.path("commit").asText("");
    return report(
        commit.isEmpty() ? Optional.empty() : Optional.of(commit),
        answer.path("subject").asText(""));
  }

  private int throughGit() throws Exception {
    String who =
        actor == null || actor.isBlank() ? System.getProperty("user.name", "ogp") : actor.strip();
    String email =
        authorEmail == null || authorEmail.isBlank()
            ? who.replaceAll("[^A-Za-z0-9._-]", "-") + "@ogp.local"
            : authorEmail.strip();
    Path scratch = Files.createTempDirectory("ogp-set-image");
    try (GitMirror mirror = GitMirror.open(repository.remote(), scratch, git.gitTimeout)) {
      ChangeService changes = new ChangeService(mirror, () -> {}).retryingFor(timeout);
      ChangeResult result =
          changes.deploy(
              app,
              Optional.of(version),
              Optional.empty(),
              new Actor(who, email, who),
              Optional.ofNullable(message));
      return report(result.commit(), result.subject());
    } catch (InvalidChange e) {
      e.errors().forEach(spec.commandLine().getErr()::println);
      throw new CommandFailure(e.getMessage());
    } catch (ChangeRefused
        | GitSourceException
            e) { // conflicts, unknown apps, an unreachable remote: one sentence each
      throw new CommandFailure(e.getMessage());
    } finally {
      try (var paths = Files.walk(scratch)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private int report(Optional<String> commit, String subject) {
    var out = spec.commandLine().getOut();
    if (commit.isEmpty()) {
      out.println(app + " is already at " + version + "; nothing to commit");
    } else {
      out.println(commit.get());
      spec.commandLine().getErr().println("committed and pushed: " + subject);
    }
    out.flush();
    return 0;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
}
