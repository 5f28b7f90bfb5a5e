package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desired state cannot reach outside the repository: the snapshot is read from Git objects,
 * never from a working tree, and symbolic links committed to the repository are not followed,
 * whether they point at {@code /etc/passwd}, at a file outside the desired-state path, or at a
 * directory.
 */
class RepositoryEscapeTest {
  @TempDir Path tmp;

  @Test
  void committedSymlinksAreNotDesiredStateAndNeverFollowed() throws Exception {
    Path secret = Files.writeString(tmp.resolve("outside-secret.yaml"), "app: stolen\n");
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit(
          "real app and a file outside the path",
          Map.of(
              "fleet/apps/web.yaml", "app: web\n",
              "private/db.yaml", "app: db\n"));
      Path apps = origin.path().resolve("fleet/apps");
      Files.createSymbolicLink(apps.resolve("passwd.yaml"), Path.of("/etc/passwd"));
      Files.createSymbolicLink(apps.resolve("outside.yaml"), secret);
      Files.createSymbolicLink(apps.resolve("sibling.yaml"), Path.of("../../private/db.yaml"));
      Files.createSymbolicLink(origin.path().resolve("fleet/linked-dir"), Path.of("../private"));
      RevCommit commit;
      try (Git git = Git.open(origin.path().toFile())) {
        git.add().addFilepattern("fleet").call();
        commit = git.commit().setMessage("symlinks").call();
        assertEquals(
            FileMode.SYMLINK,
            mode(git.getRepository(), commit, "fleet/apps/passwd.yaml"),
            "the test must commit a real symbolic link");
      }

      try (GitMirror mirror =
          GitMirror.open(
              GitRemote.of(origin.path().toString(), "main", "fleet"), tmp.resolve("data"))) {
        Snapshot snapshot = mirror.poll().snapshot();

        assertEquals(commit.name(), snapshot.revision());
        assertEquals(Set.of("fleet/apps/web.yaml"), snapshot.files().keySet());
        assertArrayEquals(
            "app: web\n".getBytes(StandardCharsets.UTF_8),
            snapshot.files().get("fleet/apps/web.yaml"));
      }
    }
  }

  @Test
  void symlinkAddedLaterIsSkippedByTheIncrementalRead() throws Exception {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit("first", Map.of("apps/web.yaml", "app: web\n"));
      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.path().toString(), "main", ""), tmp.resolve("data"))) {
        mirror.poll();
        Files.createSymbolicLink(origin.path().resolve("apps/x.yaml"), Path.of("/etc/passwd"));
        try (Git git = Git.open(origin.path().toFile())) {
          git.add().addFilepattern("apps/x.yaml").call();
          git.commit().setMessage("a symlink").call();
        }

        assertEquals(Set.of("apps/web.yaml"), mirror.poll().snapshot().files().keySet());
      }
    }
  }

  @Test
  void desiredStatePathsOutsideTheRepositoryAreRefused() {
    for (String path : new String[] {"..", "../other", "fleet/../../x", "/etc", "/"}) {
      assertThrows(
          IllegalArgumentException.class, () -> GitRemote.of("file:///r", "main", path), path);
    }
  }

  private static FileMode mode(Repository repository, RevCommit commit, String path)
      throws Exception {
    try (TreeWalk walk = TreeWalk.forPath(repository, path, commit.getTree())) {
      return walk.getFileMode(0);
    }
  }
}
