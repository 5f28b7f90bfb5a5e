package ogp.reconciler.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.source.RevisionFiles;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DesiredStateSourceTest {
  @TempDir Path tmp;
  private TestRepo repo;
  private GitMirror mirror;
  private DesiredStateSource source;
  private final List<AppliedRevision> applied = new ArrayList<>();

  private static String web(String version) {
    return "app: web\nimage: busybox\nversion: \"" + version + "\"\nhosts: [a]\n";
  }

  @BeforeEach
  void followARepository() {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit(
        "Start",
        Map.of(
            "apps/web.yaml",
            web("1"),
            "apps/db.yaml",
            "app: db\nimage: postgres\nversion: \"15\"\nhosts: [b]\n"));
    mirror = GitMirror.open(GitRemote.of(repo.url(), "main", ""), tmp.resolve("data"));
    source = new DesiredStateSource(mirror, Clock.systemUTC(), applied::add);
  }

  @AfterEach
  void close() {
    mirror.close();
    repo.close();
  }

  @Test
  void validRevisionIsAppliedOnceAndANoChangePollAppliesNothing() {
    assertTrue(source.refresh());
    assertEquals(repo.head(), source.applied().orElseThrow().revision());
    assertEquals(
        List.of("db", "web"), List.copyOf(source.applied().orElseThrow().state().apps().keySet()));
    assertFalse(source.refresh(), "nothing new");
    assertEquals(1, applied.size());
  }

  @Test
  void aFileOverTheSizeLimitMakesItsCommitInvalidWithItsAuthorAndKeepsTheAppliedRevision() {
    source.refresh();
    String valid = repo.head();
    String padded = web("2") + "#".repeat(RevisionFiles.MAX_FILE_BYTES) + "\n";
    String big =
        repo.commitAs(
            new PersonIdent("Mallory", "mallory@example.com"),
            "Pad web",
            Map.of("apps/web.yaml", padded));

    assertFalse(source.refresh());
    assertEquals(valid, source.applied().orElseThrow().revision(), "the valid revision stays");
    assertTrue(source.lastFetchError().isEmpty(), "the fetch worked: " + source.lastFetchError());
    InvalidRevision invalid = source.invalid().orElseThrow();
    assertEquals(big, invalid.commit().sha());
    assertEquals("Mallory", invalid.commit().authorName());
    assertEquals(
        List.of(
            "apps/web.yaml:1:1: file is "
                + padded.length()
                + " bytes, more than the limit of 1048576 bytes"),
        invalid.errors().stream().map(Object::toString).toList());

    assertFalse(source.refresh());
    assertSame(invalid, source.invalid().orElseThrow(), "reported once, not at every poll");

    String fixed = repo.commit("Unpad web", Map.of("apps/web.yaml", web("3")));
    assertTrue(source.refresh());
    assertEquals(fixed, source.applied().orElseThrow().revision());
    assertTrue(source.invalid().isEmpty());
  }

  @Test
  void invalidRevisionAfterAValidOneLeavesTheValidOneAppliedAndIsReportedWithItsAuthor() {
    source.refresh();
    String valid = repo.head();
    String bad =
        repo.commitAs(
            new PersonIdent("Mallory", "mallory@example.com"),
            "Break web",
            Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"2\"\n"));
    assertFalse(source.refresh());
    assertEquals(valid, source.applied().orElseThrow().revision());
    InvalidRevision invalid = source.invalid().orElseThrow();
    assertEquals(bad, invalid.commit().sha());
    assertEquals("Mallory", invalid.commit().authorName());
    assertTrue(
        invalid
            .errors()
            .get(0)
            .toString()
            .startsWith("apps/web.yaml:1:1: hosts: the app has no placement"),
        invalid.errors().toString());

    String fixed = repo.commit("Fix web", Map.of("apps/web.yaml", web("2")));
    assertTrue(source.refresh());
    assertEquals(fixed, source.applied().orElseThrow().revision());
    assertEquals("2", source.applied().orElseThrow().state().app("web").orElseThrow().version());
    assertTrue(source.invalid().isEmpty(), "a valid revision clears the report");
  }

  @Test
  void appUnchangedByACommitKeepsTheRevisionThatLastChangedIt() {
    source.refresh();
    String start = repo.head();
    String deploy = repo.commit("Deploy web 2", Map.of("apps/web.yaml", web("2")));
    assertTrue(source.refresh());
    AppliedRevision now = source.applied().orElseThrow();
    assertEquals(deploy, now.revisionOf("web"));
    assertEquals(start, now.revisionOf("db"), "db was not touched by the deploy");

    // Moving db's document down its file (another line) does not change db.
    String moved =
        repo.commit(
            "Comment db",
            Map.of(
                "apps/db.yaml",
                "# the database\n\napp: db\nimage: postgres\nversion: \"15\"\nhosts: [b]\n"));
    assertTrue(source.refresh());
    assertEquals(moved, source.applied().orElseThrow().revision());
    assertEquals(start, source.applied().orElseThrow().revisionOf("db"));
    assertEquals(deploy, source.applied().orElseThrow().revisionOf("web"));
  }

  @Test
  void deletedFileRemovesItsAppsFromTheNextRevision() {
    source.refresh();
    repo.delete("Retire db", "apps/db.yaml");
    assertTrue(source.refresh());
    assertEquals(
        List.of("web"), List.copyOf(source.applied().orElseThrow().state().apps().keySet()));
  }
}
