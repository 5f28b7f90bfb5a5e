package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git snapshots and the working-tree reader of {@code ogp validate} take the same files as desired
 * state.
 */
class DesiredStateFilesTest {
  @TempDir Path tmp;

  private static final Map<String, String> TREE =
      Map.of(
          "deploy/apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\n",
          "deploy/.gitlab-ci.yml", "stages: [validate]\n",
          "deploy/.github/workflows/ogp.yml", "on: push\n",
          "deploy/apps/.draft.yaml", "not: an app\n",
          "deploy/apps/.wip/api.yaml", "app: api\n",
          ".gitlab-ci.yml", "stages: [validate]\n",
          "deploy/README.md", "# fleet\n");

  @Test
  void dotfilesAndDotDirectoriesBelowTheRootAreSkippedByTheGitSnapshotAndTheWorkingTreeReaderAlike()
      throws Exception {
    for (String root : List.of("", "deploy")) {
      try (TestRepo origin = TestRepo.create(tmp.resolve("origin-" + root))) {
        origin.commit("Apps and CI", TREE);
        try (GitMirror mirror =
            GitMirror.open(GitRemote.of(origin.url(), "main", root), tmp.resolve("data-" + root))) {
          assertEquals(
              List.of("deploy/apps/web.yaml"),
              List.copyOf(mirror.poll().snapshot().files().keySet()),
              "root '" + root + "'");
        }
        Path dir = root.isEmpty() ? origin.path() : origin.path().resolve(root);
        assertEquals(
            1,
            new DesiredStateReader().readTree(dir).state().apps().size(),
            "validate reads the same: " + root);
        assertEquals(
            true,
            Files.exists(dir.resolve(root.isEmpty() ? "deploy/.gitlab-ci.yml" : ".gitlab-ci.yml")));
      }
    }
  }
}
