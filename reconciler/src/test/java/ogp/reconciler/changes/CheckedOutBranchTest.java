package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets other than a bare repository over file://: the dev repository with a working tree, and
 * smart HTTP with credentials.
 */
class CheckedOutBranchTest {
  @TempDir Path tmp;

  @Test
  void deployToANonBareDevRepositoryUpdatesItsWorkingTreeAndLeavesItClean() throws Exception {
    try (TestRepo dev = TestRepo.create(tmp.resolve("dev"))) {
      dev.commit(
          "Initial", Map.of("apps/web.yaml", ChangeFixture.app("web", "1"), "notes.txt", "mine\n"));
      Files.writeString(dev.path().resolve("notes.txt"), "edited, not committed\n");
      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(dev.path().toString(), "main", ""), tmp.resolve("data"))) {
        ChangeService service = new ChangeService(mirror, () -> {});

        String sha =
            service
                .deploy("web", Optional.of("2"), Optional.empty(), ChangeFixture.ALICE)
                .commit()
                .orElseThrow();

        assertEquals(sha, dev.head());
        assertTrue(
            Files.readString(dev.path().resolve("apps/web.yaml")).contains("version: \"2\""));
        Status status = Git.wrap(dev.repository()).status().call();
        assertEquals(
            java.util.Set.of("notes.txt"),
            status.getModified(),
            "only the user's own edit is uncommitted");
        assertTrue(
            status.getChanged().isEmpty() && status.getAdded().isEmpty(),
            "the index matches the new commit");
        assertEquals("edited, not committed\n", Files.readString(dev.path().resolve("notes.txt")));
      }
    }
  }

  @Test
  void uncommittedEditsOfTheAppsFileInTheDevRepositoryRefuseTheChange() throws Exception {
    try (TestRepo dev = TestRepo.create(tmp.resolve("dev"))) {
      String initial =
          dev.commit("Initial", Map.of("apps/web.yaml", ChangeFixture.app("web", "1")));
      String edit = ChangeFixture.app("web", "1") + "# my edit\n";
      Files.writeString(dev.path().resolve("apps/web.yaml"), edit);
      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(dev.url(), "main", ""), tmp.resolve("data"))) {
        ChangeService service = new ChangeService(mirror, () -> {});

        ChangeConflict conflict =
            assertThrows(
                ChangeConflict.class,
                () ->
                    service.deploy("web", Optional.of("2"), Optional.empty(), ChangeFixture.ALICE));

        assertTrue(
            conflict.getMessage().contains("uncommitted changes to apps/web.yaml"),
            conflict.getMessage());
        assertEquals(initial, dev.head());
        assertEquals(
            edit, Files.readString(dev.path().resolve("apps/web.yaml"), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void deployOverSmartHttpPushesWithTheRemotesCredentials() throws Exception {
    try (GitHttpServer server = GitHttpServer.start("ogp", "s3cret");
        TestRepo work = TestRepo.create(tmp.resolve("work"))) {
      Path bare = tmp.resolve("remote.git");
      Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
      String url = server.serve("fleet.git", bare);
      work.commit("Initial", Map.of("apps/web.yaml", ChangeFixture.app("web", "1")));
      work.pushTo(url, "ogp", "s3cret", false);
      GitRemote remote =
          new GitRemote(url, "main", "", new GitCredentials.UsernamePassword("ogp", "s3cret"));
      try (GitMirror mirror = GitMirror.open(remote, tmp.resolve("data"))) {
        server.resetCounts();
        String sha =
            new ChangeService(mirror, () -> {})
                .deploy("web", Optional.of("2"), Optional.empty(), ChangeFixture.ALICE)
                .commit()
                .orElseThrow();

        assertEquals(1, server.count(GitHttpServer.Kind.RECEIVE_PACK));
        try (Git remoteGit = Git.open(bare.toFile())) {
          assertEquals(sha, remoteGit.getRepository().resolve("refs/heads/main").name());
        }
      }
    }
  }
}
