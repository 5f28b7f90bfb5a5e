package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPathTest {
  @TempDir Path tmp;

  @Test
  void plainPathOfARepositoryWithWorkingTreeIsFollowed() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit("first", Map.of("web.yaml", "app: web\n"));

      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.path().toString(), "main", ""), tmp.resolve("data"))) {
        PollResult result = mirror.poll();

        assertEquals(origin.head(), result.snapshot().revision());
        assertEquals(Set.of("web.yaml"), result.snapshot().files().keySet());
      }
    }
  }

  @Test
  void plainPathOfABareRepositoryIsFollowed() throws Exception {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      origin.commit("first", Map.of("web.yaml", "app: web\n"));
      Path bare = tmp.resolve("bare.git");
      Git.cloneRepository()
          .setURI(origin.url())
          .setBare(true)
          .setDirectory(bare.toFile())
          .call()
          .close();

      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(bare.toString(), "main", ""), tmp.resolve("data"))) {
        assertEquals(origin.head(), mirror.poll().snapshot().revision());
      }
    }
  }
}
