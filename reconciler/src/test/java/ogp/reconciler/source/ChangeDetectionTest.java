package ogp.reconciler.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeDetectionTest {
  @TempDir Path tmp;
  private TestRepo origin;
  private GitMirror mirror;
  private Snapshot first;

  @BeforeEach
  void setUp() {
    origin = TestRepo.create(tmp.resolve("origin"));
    origin.commit(
        "first",
        Map.of(
            "apps/web.yaml", "app: web\nversion: \"1\"\n",
            "apps/api.yaml", "app: api\n",
            "apps/old.yaml", "app: old\n"));
    mirror = GitMirror.open(GitRemote.of(origin.url(), "main", "apps"), tmp.resolve("data"));
    first = mirror.poll().snapshot();
  }

  @AfterEach
  void tearDown() {
    mirror.close();
    origin.close();
  }

  @Test
  void onlyAddedModifiedAndDeletedFilesAreReported() {
    origin.commit(
        "change",
        Map.of("apps/web.yaml", "app: web\nversion: \"2\"\n", "apps/new.yml", "app: new\n"));
    origin.delete("remove old", "apps/old.yaml");

    PollResult result = mirror.poll();

    assertEquals(Set.of("apps/web.yaml", "apps/new.yml", "apps/old.yaml"), result.changedPaths());
    assertEquals(
        List.of("apps/api.yaml", "apps/new.yml", "apps/web.yaml"),
        List.copyOf(result.snapshot().files().keySet()));
    assertEquals(
        "app: web\nversion: \"2\"\n",
        new String(result.snapshot().files().get("apps/web.yaml"), UTF_8));
    assertEquals(origin.head(), result.snapshot().revision());
  }

  @Test
  void unchangedFilesKeepThePreviousSnapshotsBytesInsteadOfBeingReadAgain() {
    origin.commit("change web", Map.of("apps/web.yaml", "app: web\nversion: \"2\"\n"));

    Snapshot next = mirror.poll().snapshot();

    assertSame(first.files().get("apps/api.yaml"), next.files().get("apps/api.yaml"));
  }

  @Test
  void commitOutsideThePathGivesANewRevisionWithNoChangedFiles() {
    origin.commit("docs", Map.of("README.md", "hello", "other/x.yaml", "x"));

    PollResult result = mirror.poll();

    assertEquals(origin.head(), result.snapshot().revision());
    assertEquals(Set.of(), result.changedPaths());
    assertEquals(first.files().keySet(), result.snapshot().files().keySet());
  }

  @Test
  void pollWithoutNewCommitReturnsNoSnapshotAndFetchesNothing() {
    PollResult result = mirror.poll();

    assertNull(result.snapshot());
    assertFalse(result.changed());
    assertFalse(result.fetched());
    assertEquals(Set.of(), result.changedPaths());
    assertSame(first, mirror.current().orElseThrow());
  }

  @Test
  void earlierSnapshotsAreNotChangedByLaterPolls() {
    origin.commit("change", Map.of("apps/web.yaml", "app: web\nversion: \"2\"\n"));
    mirror.poll();

    assertEquals(
        "app: web\nversion: \"1\"\n", new String(first.files().get("apps/web.yaml"), UTF_8));
    assertTrue(first.files().containsKey("apps/old.yaml"));
  }
}
