package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorReuseTest {
  @TempDir Path tmp;

  @Test
  void mirrorLivesUnderDataDirGitAndIsReusedByTheNextInstance() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("fleet"))) {
      GitRemote remote = remoteWithOneCommit(origin);
      Path dir = pollOnce(remote);
      assertEquals(tmp.resolve("data").resolve("git"), dir.getParent());
      assertTrue(dir.getFileName().toString().startsWith("fleet-"), dir.toString());

      try (GitMirror reopened = GitMirror.open(remote, tmp.resolve("data"))) {
        assertEquals(dir, reopened.repository().getDirectory().toPath());
        assertEquals(Optional.empty(), reopened.current());
        assertEquals(origin.head(), reopened.mirrored().orElseThrow().revision());
        assertFalse(reopened.poll().fetched());
      }
    }
  }

  @Test
  void mirrorRecordedForAnotherUrlIsRecreated() throws Exception {
    try (TestRepo origin = TestRepo.create(tmp.resolve("fleet"))) {
      GitRemote remote = remoteWithOneCommit(origin);
      Path dir = pollOnce(remote);
      try (Repository stale = new FileRepositoryBuilder().setGitDir(dir.toFile()).build()) {
        StoredConfig config = stale.getConfig();
        config.setString("remote", "origin", "url", "https://example.invalid/other.git");
        config.save();
      }

      try (GitMirror reopened = GitMirror.open(remote, tmp.resolve("data"))) {
        assertEquals(Optional.empty(), reopened.mirrored());
        assertTrue(reopened.poll().fetched());
        assertEquals(
            origin.url(), reopened.repository().getConfig().getString("remote", "origin", "url"));
      }
      assertTrue(Files.isDirectory(dir));
    }
  }

  @Test
  void differentUrlsWithTheSameNameGetDifferentMirrors() {
    Path data = tmp.resolve("data");
    try (GitMirror a =
            GitMirror.open(GitRemote.of("https://a.example/fleet.git", "main", ""), data);
        GitMirror b =
            GitMirror.open(GitRemote.of("https://b.example/fleet.git", "main", ""), data)) {
      assertNotEquals(a.repository().getDirectory(), b.repository().getDirectory());
    }
  }

  @Test
  void changingOnlyTheCredentialsKeepsTheMirror() {
    Path data = tmp.resolve("data");
    try (GitMirror a =
        GitMirror.open(GitRemote.of("https://alice:one@git.example/fleet.git", "main", ""), data)) {
      Path dir = a.repository().getDirectory().toPath();
      a.close();
      try (GitMirror b =
          GitMirror.open(GitRemote.of("https://bob:two@git.example/fleet.git", "main", ""), data)) {
        assertEquals(dir, b.repository().getDirectory().toPath());
        assertEquals(
            "https://git.example/fleet.git",
            b.repository().getConfig().getString("remote", "origin", "url"));
      }
    }
  }

  private static GitRemote remoteWithOneCommit(TestRepo origin) {
    origin.commit("first", Map.of("a.yaml", "a"));
    return GitRemote.of(origin.url(), "main", "");
  }

  /** Polls a fresh mirror instance once and returns the mirror's directory. */
  private Path pollOnce(GitRemote remote) {
    try (GitMirror mirror = GitMirror.open(remote, tmp.resolve("data"))) {
      mirror.poll();
      return mirror.repository().getDirectory().toPath();
    }
  }
}
