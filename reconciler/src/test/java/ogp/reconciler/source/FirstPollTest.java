package ogp.reconciler.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstPollTest {
  @TempDir Path tmp;

  @Test
  void firstPollSnapshotsOnlyYamlFilesBelowThePath() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      String sha =
          origin.commitAs(
              new PersonIdent("Ada", "ada@example.com"),
              "Deploy web 42\n\nbody",
              Map.of(
                  "apps/web.yaml", "app: web\n",
                  "apps/team/api.yml", "app: api\n",
                  "apps/README.md", "not desired state",
                  "apps/web.yaml.bak", "backup",
                  "other/db.yaml", "app: db\n",
                  "root.yaml", "app: root\n"));

      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.url(), "main", "apps"), tmp.resolve("data"))) {
        PollResult result = mirror.poll();

        Snapshot snapshot = result.snapshot();
        assertEquals(
            List.of("apps/team/api.yml", "apps/web.yaml"), List.copyOf(snapshot.files().keySet()));
        assertEquals("app: web\n", new String(snapshot.files().get("apps/web.yaml"), UTF_8));
        assertEquals(snapshot.files().keySet(), result.changedPaths());
        assertTrue(result.fetched());
        assertEquals(sha, snapshot.revision());
        assertEquals(
            new CommitInfo(
                sha,
                "Ada",
                "ada@example.com",
                Instant.parse("2026-01-01T00:00:01Z"),
                "Deploy web 42"),
            snapshot.commit());
        assertEquals(Optional.of(snapshot), mirror.current());
      }
    }
  }

  @Test
  void emptyPathMeansTheWholeRepository() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit("first", Map.of("a.yaml", "a", "deep/b/c.yml", "c", "notes.txt", "n"));

      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.url(), "main", ""), tmp.resolve("data"))) {
        assertEquals(
            List.of("a.yaml", "deep/b/c.yml"),
            List.copyOf(mirror.poll().snapshot().files().keySet()));
      }
    }
  }

  @Test
  void pathIsASubdirectoryNotAPrefix() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit("first", Map.of("apps/a.yaml", "a", "apps2/b.yaml", "b"));

      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.url(), "main", "apps/"), tmp.resolve("data"))) {
        assertEquals(
            List.of("apps/a.yaml"), List.copyOf(mirror.poll().snapshot().files().keySet()));
      }
    }
  }

  @Test
  void missingBranchIsReportedByName() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit("first", Map.of("a.yaml", "a"));

      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.url(), "production", ""), tmp.resolve("data"))) {
        GitSourceException error =
            org.junit.jupiter.api.Assertions.assertThrows(GitSourceException.class, mirror::poll);
        assertEquals(
            "Branch production does not exist in " + origin.url() + ".", error.getMessage());
      }
    }
  }

  @Test
  void unreachableRemoteFailsWithOneClearSentence() {
    try (GitMirror mirror =
        GitMirror.open(
            GitRemote.of(tmp.resolve("nowhere").toUri().toString(), "main", ""),
            tmp.resolve("data"))) {
      GitSourceException error =
          org.junit.jupiter.api.Assertions.assertThrows(GitSourceException.class, mirror::poll);
      assertTrue(
          error.getMessage().startsWith("Cannot read branch main of file:"), error.getMessage());
    }
  }
}
