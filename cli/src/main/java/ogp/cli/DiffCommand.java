package ogp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.DesiredStateDiff;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.Snapshot;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ogp diff}: what merging would change, per app and host, for merge-request pipelines. A
 * local directory is read as it is (its own branches, {@code HEAD}, {@code origin/main}); a URL is
 * mirrored into a temporary directory first. Needs no server.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description =
        "Shows what changes between two revisions of the desired state, per app and host.")
final class DiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** --repo, --branch and --path; their wording for diff is in RepositoryOptions.properties. */
  @Mixin RepositoryOptions.Required repository;

  @Option(
      names = "--from",
      required = true,
      description = "The revision merged into (e.g. origin/main).")
  String from;

  @Option(names = "--to", required = true, description = "The revision to merge (e.g. HEAD).")
  String to;

  @Option(
      names = "--format",
      defaultValue = "plain",
      description = "plain or markdown (for a merge-request comment) (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("plain") && !format.equals("markdown")) {
      throw new CommandFailure("--format must be plain or markdown, got '" + format + "'", 2);
    }
    Snapshot before;
    Snapshot after;
    Path local = Path.of(repository.repo());
    if (Files.isDirectory(local)) {
      try (Repository git = open(local)) {
        before = Snapshot.at(git, from, repository.path);
        after = Snapshot.at(git, to, repository.path);
      }
    } else {
      Path scratch = Files.createTempDirectory("ogp-diff");
      try (GitMirror mirror = GitMirror.open(repository.remote(), scratch)) {
        before = mirror.snapshotAt(from);
        after = mirror.snapshotAt(to);
      } finally {
        deleteTree(scratch);
      }
    }
    DesiredState fromState = validState(before, "--from");
    DesiredState toState = validState(after, "--to");
    List<DesiredStateDiff.Change> changes = DesiredStateDiff.between(fromState, toState);
    spec.commandLine().getOut().print(DesiredStateDiff.render(changes, format.equals("markdown")));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private DesiredState validState(Snapshot snapshot, String which) {
    // The policy file is ogp.yaml below --path, as the reconciler reads it.
    DesiredStateReader reader = new DesiredStateReader(repository.remote().path());
    List<FileResult> files = new ArrayList<>();
    snapshot.files().forEach((file, bytes) -> files.add(reader.readFile(file, bytes)));
    ReadResult result = DesiredStateReader.combine(files);
    if (!result.valid()) {
      var err = spec.commandLine().getErr();
      result.errors().forEach(err::println);
      throw new CommandFailure(
          which
              + " revision "
              + snapshot.revision().substring(0, 12)
              + " is not valid ("
              + result.errors().size()
              + " error(s) above)");
    }
    return result.state();
  }

  private static Repository open(Path dir) throws IOException {
    FileRepositoryBuilder builder =
        new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile());
    if (builder.getGitDir() == null) builder.setGitDir(dir.toFile()); // a bare repository
    Repository repository = builder.setMustExist(true).build();
    if (!repository.getObjectDatabase().exists()) {
      repository.close();
      throw new CommandFailure(dir + " is not a Git repository");
    }
    return repository;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
