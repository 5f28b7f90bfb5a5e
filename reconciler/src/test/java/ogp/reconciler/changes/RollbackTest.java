package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.auth.Role;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackTest {
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
  void rollbackRevertsTheNewestChangeOfTheAppInGitsOwnMessageForm() {
    String deploy =
        f.service
            .deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE)
            .commit()
            .orElseThrow();
    f.service.deploy("api", Optional.of("8"), Optional.empty(), ChangeFixture.ALICE);

    ChangeResult rollback =
        f.service.rollback("web", Optional.empty(), ChangeFixture.ALICE, Role.DEPLOYER);

    RevCommit revert = f.remoteCommit(rollback.commit().orElseThrow());
    assertEquals(
        "Revert \"Deploy web 42\"\n\nThis reverts commit "
            + deploy
            + ".\n\nOgp-App: web\nOgp-Actor: alice\n",
        revert.getFullMessage());
    assertTrue(f.diffOf(revert.getName()).contains("-version: \"42\"\n+version: \"41\"\n"));
    assertTrue(!f.diffOf(revert.getName()).contains("api.yaml"), "only the app's file changes");
  }

  @Test
  void rollingBackARollbackRedeploys() {
    f.service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE);
    String first =
        f.service
            .rollback("web", Optional.empty(), ChangeFixture.ALICE, Role.DEPLOYER)
            .commit()
            .orElseThrow();

    ChangeResult again =
        f.service.rollback("web", Optional.empty(), ChangeFixture.ALICE, Role.DEPLOYER);

    assertEquals("Revert \"Revert \"Deploy web 42\"\"", again.subject());
    assertTrue(
        f.remoteCommit(again.commit().orElseThrow())
            .getFullMessage()
            .contains("This reverts commit " + first + "."));
    assertTrue(
        f.diffOf(again.commit().orElseThrow()).contains("-version: \"41\"\n+version: \"42\"\n"));
  }

  @Test
  void rollbackOfAGivenCommitRevertsThatCommit() {
    String deploy =
        f.service
            .deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE)
            .commit()
            .orElseThrow();
    // A later edit of other lines of the same file merges cleanly, as in git revert.
    f.commitElsewhere(
        "Reword the comment",
        Map.of(
            "apps/web.yaml",
            ChangeFixture.app("web", "42")
                .replace("# web: managed by OGP", "# web: the storefront")));

    ChangeResult rollback =
        f.service.rollback(
            "web", Optional.of(deploy.substring(0, 10)), ChangeFixture.ALICE, Role.DEPLOYER);

    assertEquals("Revert \"Deploy web 42\"", rollback.subject());
    String diff = f.diffOf(rollback.commit().orElseThrow());
    assertTrue(diff.contains(" # web: the storefront\n"), diff);
    assertTrue(diff.contains("-version: \"42\"\n+version: \"41\"\n"), diff);
  }

  @Test
  void rollbackOfConflictingCommitIsRefusedAndCommitsNothing() {
    String deploy42 =
        f.service
            .deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE)
            .commit()
            .orElseThrow();
    String deploy43 =
        f.service
            .deploy("web", Optional.of("43"), Optional.empty(), ChangeFixture.ALICE)
            .commit()
            .orElseThrow();
    String head = f.remoteHead();

    ChangeConflict conflict =
        assertThrows(
            ChangeConflict.class,
            () ->
                f.service.rollback(
                    "web", Optional.of(deploy42), ChangeFixture.ALICE, Role.DEPLOYER));

    assertTrue(
        conflict
            .getMessage()
            .contains(
                "conflicts with the later commit " + deploy43.substring(0, 7) + " (Deploy web 43)"),
        conflict.getMessage());
    assertEquals(head, f.remoteHead());
  }

  @Test
  void aDeployerRollsBackAStateChangeButNotAPlacementAndTheRefusalNamesTheField() {
    String offline = f.service.offline("web", ChangeFixture.ALICE).commit().orElseThrow();
    ChangeResult online =
        f.service.rollback("web", Optional.of(offline), ChangeFixture.ALICE, Role.DEPLOYER);
    assertTrue(f.diffOf(online.commit().orElseThrow()).contains("-state: absent\n"));

    String placed =
        f.service
            .deploy("web", Optional.empty(), Optional.of(List.of("host-b")), ChangeFixture.ALICE)
            .commit()
            .orElseThrow();
    String head = f.remoteHead();
    RollbackForbidden refused =
        assertThrows(
            RollbackForbidden.class,
            () ->
                f.service.rollback("web", Optional.of(placed), ChangeFixture.ALICE, Role.DEPLOYER));
    assertEquals(
        "rolling back "
            + placed.substring(0, 7)
            + " would change hosts of web; a deployer may change only version and state:"
            + " ask an admin",
        refused.getMessage());
    assertEquals(Role.ADMIN, refused.needed());
    assertThrows(
        RollbackForbidden.class,
        () ->
            f.service.previewRollback(
                "web", Optional.of(placed), ChangeFixture.ALICE, Role.DEPLOYER),
        "the preview refuses it too");
    assertEquals(head, f.remoteHead(), "nothing committed");
  }

  @Test
  void aDeployerCannotRollBackIntoADocumentThatNoLongerReadsAsTheAppAndWouldHideItsFile() {
    // A file whose first document is of another kind is skipped whole: reverting the commit that
    // published cron would bring back "kind: Draft" and silently drop batch too.
    String draft = "kind: Draft\n" + ChangeFixture.app("cron", "1");
    String batch = "---\n" + ChangeFixture.app("batch", "2");
    f.commitElsewhere("Draft cron", Map.of("apps/team.yaml", draft + batch));
    String published =
        f.commitElsewhere(
            "Publish cron", Map.of("apps/team.yaml", ChangeFixture.app("cron", "1") + batch));
    String head = f.remoteHead();

    RollbackForbidden refused =
        assertThrows(
            RollbackForbidden.class,
            () ->
                f.service.rollback(
                    "cron", Optional.of(published), ChangeFixture.ALICE, Role.DEPLOYER));
    assertTrue(refused.getMessage().contains("no longer reads as that app"), refused.getMessage());
    assertEquals(Role.ADMIN, refused.needed());
    assertEquals(head, f.remoteHead(), "nothing committed");
  }

  @Test
  void rollbackOfACommitNotOnTheBranchIsUnknown() {
    assertThrows(
        UnknownApp.class,
        () ->
            f.service.rollback(
                "web", Optional.of("deadbeefdeadbeef"), ChangeFixture.ALICE, Role.DEPLOYER));
  }

  @Test
  void automaticRollbackOfAnAppAddedByTheFailingCommitTakesItOfflineAndKeepsItsFileAndTheOtherApps()
      throws Exception {
    String added =
        f.commitElsewhere(
            "Add worker and cron",
            Map.of(
                "apps/batch.yaml",
                ChangeFixture.app("worker", "1") + "---\n" + ChangeFixture.app("cron", "3")));
    f.mirror.poll(); // the server has applied the failing revision

    ChangeResult result =
        f.service.rollbackFailedRevision(
            "worker", added, "worker 1 was not healthy within 60s on host-a");

    RevCommit commit = f.remoteCommit(result.commit().orElseThrow());
    assertEquals("Take worker offline", commit.getShortMessage());
    assertTrue(
        commit.getFullMessage().contains("worker was added by commit " + added),
        commit.getFullMessage());
    assertTrue(commit.getFullMessage().contains("\nOgp-Actor: ogp\n"), commit.getFullMessage());
    String diff = f.diffOf(commit.getName());
    assertTrue(diff.contains("+state: absent"), diff);
    assertEquals(
        1,
        diff.lines().filter(l -> l.startsWith("+") && !l.startsWith("+++")).count(),
        "one line added, nothing removed: " + diff);
    assertTrue(diff.lines().noneMatch(l -> l.startsWith("-") && !l.startsWith("---")), diff);
    assertThrows(
        ChangeRefused.class,
        () -> f.service.rollbackFailedRevision("worker", commit.getName(), "again"),
        "an automatic rollback is not rolled back again");
  }
}
