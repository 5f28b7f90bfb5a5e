package ogp.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import ogp.portal.auth.PasswordHashes;
import ogp.portal.changes.GitChanges;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.plan.HealthStatus;
import ogp.reconciler.plan.SyncStatus;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app page's Roll back over real commits: a deployer's rollback of a commit that moved the app
 * to other hosts is refused with the reason, in the dialog and after a post, and commits nothing;
 * an admin's preview shows the revert.
 */
class PortalRollbackTest {
  private static final String WEB =
      "app: web\nimage: 127.0.0.1:5000/demo/web\nversion: \"41\"\nhosts: [h1]\n";

  @TempDir Path tmp;
  private TestRepo work;
  private GitMirror mirror;
  private ChangeService changes;
  private PortalServer server;
  private String url;
  private String moved;

  @BeforeEach
  void start() throws Exception {
    Path bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    url = bare.toUri().toString();
    work = TestRepo.create(tmp.resolve("work"));
    work.commit("Place web 41", Map.of("apps/web.yaml", WEB));
    moved = work.commit("Move web to h2", Map.of("apps/web.yaml", WEB.replace("[h1]", "[h2]")));
    work.pushTo(url, "", "", false);
    mirror = GitMirror.open(GitRemote.of(url, "main", ""), tmp.resolve("data"));
    changes = new ChangeService(mirror, () -> {});
    Path users = tmp.resolve("users.yaml");
    Files.writeString(
        users,
        """
        users:
          - name: dave
            email: dave@example.com
            role: deployer
            password: "%s"
        """
            .formatted(PasswordHashes.hash("dave-pw".toCharArray())));
    server = new PortalServer(users, new GitChanges(changes));
    server.fleet.apps =
        List.of(FixedFleet.app("web", "41", SyncStatus.Synced, HealthStatus.Healthy, "h2", "41"));
    server.fleet.hosts = List.of(FixedFleet.host("h2"));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (changes != null) changes.close();
    if (mirror != null) mirror.close();
    if (work != null) work.close();
  }

  @Test
  void aDeployersRollbackOfAMoveToOtherHostsIsRefusedWithTheReasonAndCommitsNothing()
      throws Exception {
    String reason =
        "rolling back "
            + moved.substring(0, 7)
            + " would change hosts of web; a deployer may change only version and state:"
            + " ask an admin";
    var b = server.browser().signIn("dave", "dave-pw");
    b.get("/apps/web");

    HttpResponse<String> preview = b.submit("/apps/web/preview/rollback", Map.of("commit", moved));
    assertEquals(403, preview.statusCode());
    assertTrue(preview.body().contains(reason), preview.body());

    HttpResponse<String> commit = b.submit("/apps/web/actions/rollback", Map.of("commit", moved));
    assertEquals(303, commit.statusCode());
    assertTrue(
        b.get("/apps/web").body().contains("was refused, nothing was committed: " + reason),
        "the flash says why");
    assertEquals(moved, remoteHead(), "nothing committed");
  }

  @Test
  void anAdminsPreviewOfTheSameRollbackShowsTheRevert() throws Exception {
    var b = server.browser().signIn("admin", PortalServer.ADMIN_TOKEN);
    b.get("/apps/web");

    HttpResponse<String> preview = b.submit("/apps/web/preview/rollback", Map.of("commit", moved));

    assertEquals(200, preview.statusCode(), preview.body());
    assertTrue(preview.body().contains("+hosts: [h1]"), preview.body());
  }

  private String remoteHead() throws Exception {
    try (Git git = Git.open(tmp.resolve("remote.git").toFile())) {
      return git.getRepository().resolve("refs/heads/main").name();
    }
  }
}
