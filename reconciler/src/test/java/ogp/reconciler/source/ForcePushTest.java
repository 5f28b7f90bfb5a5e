package ogp.reconciler.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForcePushTest {
  @TempDir Path tmp;

  @Test
  void rewrittenHistoryIsFollowedAndDiffedAgainstThePreviousSnapshot() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      String base =
          origin.commit("base", Map.of("web.yaml", "version: 1\n", "api.yaml", "app: api\n"));
      origin.commit("bad", Map.of("web.yaml", "version: 2-bad\n", "db.yaml", "app: db\n"));
      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.url(), "main", ""), tmp.resolve("data"))) {
        mirror.poll();

        origin.resetHard(base);
        String rewritten = origin.commit("good", Map.of("web.yaml", "version: 2\n"));
        PollResult result = mirror.poll();

        assertEquals(rewritten, result.snapshot().revision());
        assertEquals(Set.of("web.yaml", "db.yaml"), result.changedPaths());
        assertEquals("version: 2\n", new String(result.snapshot().files().get("web.yaml"), UTF_8));
        assertFalse(result.snapshot().files().containsKey("db.yaml"));
        assertEquals(rewritten, mirror.repository().resolve("refs/heads/main").name());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Test
  void branchResetToAnAlreadyMirroredCommitNeedsNoFetch() {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"))) {
      String base = origin.commit("base", Map.of("web.yaml", "version: 1\n"));
      origin.commit("next", Map.of("web.yaml", "version: 2\n"));
      try (GitMirror mirror =
          GitMirror.open(GitRemote.of(origin.url(), "main", ""), tmp.resolve("data"))) {
        mirror.poll();

        origin.resetHard(base);
        PollResult result = mirror.poll();

        assertEquals(base, result.snapshot().revision());
        assertEquals(Set.of("web.yaml"), result.changedPaths());
        assertFalse(result.fetched());
        assertTrue(result.changed());
      }
    }
  }
}
