package ogp.reconciler.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotAtTest {
  @TempDir Path tmp;
  private TestRepo origin;
  private GitMirror mirror;
  private String old;

  @BeforeEach
  void setUp() {
    origin = TestRepo.create(tmp.resolve("origin"));
    old = origin.commit("v1", Map.of("web.yaml", "version: 1\n"));
    origin.commit("v2", Map.of("web.yaml", "version: 2\n", "api.yaml", "app: api\n"));
    mirror = GitMirror.open(GitRemote.of(origin.url(), "main", ""), tmp.resolve("data"));
  }

  @AfterEach
  void tearDown() {
    mirror.close();
    origin.close();
  }

  @Test
  void oldShaGivesTheFilesAtThatCommitWithoutChangingCurrent() {
    Snapshot current = mirror.poll().snapshot();

    Snapshot at = mirror.snapshotAt(old);

    assertEquals(old, at.revision());
    assertEquals(Set.of("web.yaml"), at.files().keySet());
    assertEquals("version: 1\n", new String(at.files().get("web.yaml"), UTF_8));
    assertSame(current, mirror.current().orElseThrow());
  }

  @Test
  void abbreviatedShaAndBranchNameResolve() {
    mirror.poll();

    assertEquals(old, mirror.snapshotAt(old.substring(0, 10)).revision());
    assertEquals(origin.head(), mirror.snapshotAt("main").revision());
  }

  @Test
  void revisionUnknownToTheMirrorIsFetchedFirst() {
    mirror.poll();
    origin.tag("release-1", old);
    String later = origin.commit("v3", Map.of("web.yaml", "version: 3\n"));

    assertEquals(old, mirror.snapshotAt("release-1").revision());
    assertEquals(
        "version: 3\n", new String(mirror.snapshotAt(later).files().get("web.yaml"), UTF_8));
  }

  @Test
  void snapshotAtWorksBeforeAnyPoll() {
    assertEquals(old, mirror.snapshotAt(old).revision());
  }

  @Test
  void unknownRevisionIsAClearError() {
    GitSourceException error =
        assertThrows(GitSourceException.class, () -> mirror.snapshotAt("no-such-branch"));

    assertEquals(
        "Revision no-such-branch is neither a commit nor a branch or tag of " + origin.url() + ".",
        error.getMessage());
  }
}
