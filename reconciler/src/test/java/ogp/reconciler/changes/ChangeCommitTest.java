package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeCommitTest {
  @TempDir Path tmp;
  private ChangeFixture f;

  @BeforeEach
  void setUp() {
    f = ChangeFixture.webAndApi(tmp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void deployCommitsOnlyTheVersionLineWithTheActorAsAuthorAndTrailers() {
    ChangeResult result =
        f.service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE);

    String sha = result.commit().orElseThrow();
    assertEquals(sha, f.remoteHead());
    assertEquals("Deploy web 42", result.subject());
    RevCommit commit = f.remoteCommit(sha);
    assertEquals("Deploy web 42\n\nOgp-App: web\nOgp-Actor: alice\n", commit.getFullMessage());
    assertEquals("Alice Ops", commit.getAuthorIdent().getName());
    assertEquals("alice@example.com", commit.getAuthorIdent().getEmailAddress());
    assertEquals("ogp", commit.getCommitterIdent().getName());
    assertEquals(
        "diff --git a/apps/web.yaml b/apps/web.yaml\n--- a/apps/web.yaml\n+++ b/apps/web.yaml\n"
            + ChangeFixture.webVersionHunk("42"),
        f.diffOf(sha));
    assertEquals(1, f.afterPushCalls(), "the reconciler is asked to apply the commit at once");
  }

  @Test
  void offlineAndOnlineCommitTheStateWithTheirSubjects() {
    ChangeResult offline = f.service.offline("web", ChangeFixture.ALICE);
    assertEquals("Take web offline", offline.subject());
    assertTrue(
        f.diffOf(offline.commit().orElseThrow())
            .contains(" version: \"41\"\n+state: absent\n hosts: [host-a]\n"));

    ChangeResult online = f.service.online("web", ChangeFixture.ALICE);
    assertEquals("Bring web online", online.subject());
    assertTrue(
        f.diffOf(online.commit().orElseThrow()).contains("-state: absent\n+state: running\n"));
  }

  @Test
  void placingOnHostsCommitsTheHostsLine() {
    ChangeResult result =
        f.service.deploy(
            "web", Optional.empty(), Optional.of(List.of("host-a", "host-b")), ChangeFixture.ALICE);
    assertEquals("Place web on host-a, host-b", result.subject());
    assertTrue(
        f.diffOf(result.commit().orElseThrow())
            .contains("-hosts: [host-a]\n+hosts: [host-a, host-b]\n"));
  }

  @Test
  void deployThatChangesNothingMakesNoCommit() {
    String before = f.remoteHead();
    ChangeResult result =
        f.service.deploy("web", Optional.of("41"), Optional.empty(), ChangeFixture.ALICE);
    assertEquals(Optional.empty(), result.commit());
    assertTrue(result.message().startsWith("Nothing to commit"), result.message());
    assertEquals(before, f.remoteHead());
    assertEquals(0, f.afterPushCalls());
  }

  @Test
  void invalidResultIsRefusedWithTheValidationErrorsAndNothingIsPushed() {
    String before = f.remoteHead();
    InvalidChange refused =
        assertThrows(
            InvalidChange.class,
            () ->
                f.service.deploy(
                    "web", Optional.of("not a tag!"), Optional.empty(), ChangeFixture.ALICE));
    assertEquals(1, refused.errors().size());
    assertTrue(
        refused.errors().get(0).toString().startsWith("apps/web.yaml:4:10: version"),
        refused.getMessage());
    assertEquals(before, f.remoteHead());
  }

  @Test
  void unknownAppIsReportedAsSuch() {
    assertThrows(UnknownApp.class, () -> f.service.offline("nope", ChangeFixture.ALICE));
  }

  @Test
  void previewShowsTheDiffOfTheCommitWithoutMakingIt() {
    String before = f.remoteHead();
    ChangePreview preview =
        f.service.previewDeploy("web", Optional.of("43"), Optional.empty(), ChangeFixture.ALICE);
    assertEquals("Deploy web 43", preview.subject());
    assertEquals(
        "--- a/apps/web.yaml\n+++ b/apps/web.yaml\n" + ChangeFixture.webVersionHunk("43"),
        preview.diff());
    assertEquals(before, f.remoteHead());
  }

  @Test
  void historyListsTheCommitsThatChangedTheAppNewestFirstWithVersions() {
    f.service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE);
    f.service.deploy("api", Optional.of("8"), Optional.empty(), ChangeFixture.ALICE);
    f.service.offline("web", ChangeFixture.ALICE);

    List<HistoryEntry> history = f.service.history("web");
    assertEquals(
        List.of("Take web offline", "Deploy web 42", "Initial desired state"),
        history.stream().map(HistoryEntry::subject).toList());
    assertEquals(Optional.of("41"), history.get(1).versionBefore());
    assertEquals(Optional.of("42"), history.get(1).versionAfter());
    assertEquals(Optional.empty(), history.get(2).versionBefore());
    assertEquals("Alice Ops", history.get(0).authorName());
  }

  @Test
  void historyReadsOnlyDesiredStateFilesSoADotfileNamingTheAppIsNoChangeOfIt() {
    f.commitElsewhere(
        "CI fixture that looks like web", Map.of(".ci/web.yaml", ChangeFixture.app("web", "99")));
    f.service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE);

    assertEquals(
        List.of("Deploy web 42", "Initial desired state"),
        f.service.history("web").stream().map(HistoryEntry::subject).toList());
  }
}
