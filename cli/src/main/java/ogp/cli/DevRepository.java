package ogp.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The Git repository {@code ogp dev} follows when no --repo is given: made once from {@code
 * example-desired-state/} with a working tree, so a user edits and commits there; later runs reuse
 * it as it is.
 */
final class DevRepository {
  private DevRepository() {}

  /** Returns the repository directory, creating it from the example on first use. */
  static Path ensure(Path dir, Path example) {
    if (Files.isDirectory(dir.resolve(".git"))) return dir;
    if (!Files.isDirectory(example)) {
      throw new CommandFailure(
          "cannot find the example desired state at "
              + example
              + " (set OGP_HOME to the OGP checkout, or pass --repo)");
    }
    try {
      copyTree(example, dir);
      try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
        git.add().addFilepattern(".").call();
        PersonIdent ogp = new PersonIdent("ogp dev", "ogp-dev@localhost");
        git.commit()
            .setMessage("Initial desired state from example-desired-state")
            .setAuthor(ogp)
            .setCommitter(ogp)
            .call();
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dev repository at " + dir, e);
    } catch (GitAPIException e) {
      throw new CommandFailure(
          "cannot create the dev repository at " + dir + ": " + e.getMessage());
    }
  }

  /**
   * The example folder: $OGP_HOME/example-desired-state, else next to the checkout holding the jar.
   */
  static Path exampleDir() {
    String home = System.getenv("OGP_HOME");
    if (home != null) return Path.of(home, "example-desired-state");
    try {
      Path jar =
          Path.of(DevRepository.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // cli/target/ogp.jar (or cli/target/classes) -> checkout root
      return jar.getParent().getParent().getParent().resolve("example-desired-state");
    } catch (Exception e) {
      return Path.of("example-desired-state");
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(d).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Files.copy(f, to.resolve(from.relativize(f).toString()));
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
