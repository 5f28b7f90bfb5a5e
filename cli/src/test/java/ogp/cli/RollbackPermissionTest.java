package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback through the real server's API over a real Git repository: a revert changes only the
 * app's own document of its file, and only what the caller's role may change — a deployer the
 * version and state, an admin anything. A refusal is 403 naming the fields, and commits nothing.
 */
class RollbackPermissionTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Two apps in one file, with comments that must survive every revert. */
  private static final String TEAM =
      """
      # the team's apps
      app: api
      image: 127.0.0.1:5000/demo/api
      version: "7"   # pinned by CI
      hosts: [h1]
      ---
      # the worker
      app: worker
      image: 127.0.0.1:5000/demo/worker
      version: "3"
      hosts: [h1]
      """;

  @TempDir Path tmp;
  private TestRepo work;
  private Path bare;
  private ServerProcess server;
  private String admin;
  private String deployer;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    work = TestRepo.create(tmp.resolve("work"));
    work.commit(
        "Place web 1 and the team's apps",
        Map.of("apps/web.yaml", TestApps.web("1"), "apps/team.yaml", TEAM));
    work.pushTo(bare.toUri().toString(), "", "", false);
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(bare.toUri().toString(), "main", ""),
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
    await("the first revision is applied").atMost(WAIT).until(this::ready);
    admin = server.adminToken().reveal();
    OgpRun created =
        ogp(
            "tokens",
            "create",
            "--name",
            "jenkins",
            "--role",
            "deployer",
            "--data-dir",
            tmp.resolve("server").toString());
    assertEquals(0, created.exit(), created.err());
    deployer = created.out().strip();
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (work != null) work.close();
  }

  @Test
  void aDeployerRollsBackACommitThatChangedOnlyTheVersion() throws Exception {
    HttpResponse<String> deploy = post("/api/v1/apps/web/deploy", "{\"version\": \"2\"}", deployer);
    assertEquals(200, deploy.statusCode(), deploy.body());
    String sha = JSON.readTree(deploy.body()).get("commit").asText();

    HttpResponse<String> rollback = rollback("web", sha, deployer);

    assertEquals(200, rollback.statusCode(), rollback.body());
    assertEquals(TestApps.web("1"), remoteFile("apps/web.yaml"));
    assertEquals(
        "Revert \"Deploy web 2\"\n\nThis reverts commit "
            + sha
            + ".\n\nOgp-App: web\nOgp-Actor: jenkins\n",
        remoteHeadCommit().getFullMessage());
  }

  @Test
  void aDeployerCannotRollBackAChangeOfHostsAndEnvButAnAdminCan() throws Exception {
    String sha =
        pushElsewhere(
            "Move web to h2 with debugging",
            Map.of(
                "apps/web.yaml",
                TestApps.web("2").replace("[h1]", "[h2]") + "env:\n  DEBUG: \"1\"\n"));
    String head = remoteHeadCommit().getName();

    HttpResponse<String> refused = rollback("web", sha, deployer);

    assertEquals(403, refused.statusCode(), refused.body());
    JsonNode error = JSON.readTree(refused.body());
    assertEquals(
        "rolling back "
            + sha.substring(0, 7)
            + " would change hosts, env of web; a deployer may change only version and state:"
            + " ask an admin",
        error.get("error").asText());
    assertEquals("admin", error.get("requiredRole").asText());
    assertEquals(head, remoteHeadCommit().getName(), "nothing committed");

    OgpRun cli =
        ogp(
            "rollback",
            "web",
            "--to",
            sha,
            "--server",
            "http://127.0.0.1:" + server.httpPort(),
            "--token",
            deployer);
    assertNotEquals(0, cli.exit());
    assertTrue(
        cli.err().contains("403: rolling back " + sha.substring(0, 7) + " would change hosts, env"),
        cli.err());
    assertEquals(head, remoteHeadCommit().getName(), "nothing committed");

    HttpResponse<String> byAdmin = rollback("web", sha, admin);
    assertEquals(200, byAdmin.statusCode(), byAdmin.body());
    assertEquals(TestApps.web("1"), remoteFile("apps/web.yaml"));
  }

  @Test
  void rollingBackACommitThatChangedTwoAppsOfAFileRevertsOnlyTheAppsOwnDocument() throws Exception {
    String both = TEAM.replace("\"7\"", "\"8\"").replace("\"3\"", "\"4\"");
    String sha = pushElsewhere("Deploy api 8 and worker 4", Map.of("apps/team.yaml", both));

    HttpResponse<String> rollback = rollback("api", sha, deployer);

    assertEquals(200, rollback.statusCode(), rollback.body());
    assertEquals(
        TEAM.replace("\"3\"", "\"4\""),
        remoteFile("apps/team.yaml"),
        "api is back at 7; worker stays at 4, byte for byte");
  }

  @Test
  void rollingBackTheCommitThatAddedAnAppToAFileRemovesOnlyItsDocumentAndNeedsAnAdmin()
      throws Exception {
    String cron =
        "---\n# nightly\napp: cron\nimage: 127.0.0.1:5000/demo/cron\nversion: \"1\"\nhosts: [h1]\n";
    String sha = pushElsewhere("Add cron", Map.of("apps/team.yaml", TEAM + cron));
    String head = remoteHeadCommit().getName();

    HttpResponse<String> refused = rollback("cron", sha, deployer);
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals(
        "rolling back "
            + sha.substring(0, 7)
            + " would remove app cron (the commit added its document); a deployer may change only"
            + " version and state: ask an admin",
        JSON.readTree(refused.body()).get("error").asText());
    assertEquals(head, remoteHeadCommit().getName(), "nothing committed");

    HttpResponse<String> byAdmin = rollback("cron", sha, admin);

    assertEquals(200, byAdmin.statusCode(), byAdmin.body());
    assertEquals(TEAM, remoteFile("apps/team.yaml"), "api and worker stay, byte for byte");
  }

  // --- helpers -------------------------------------------------------------------------------

  private HttpResponse<String> rollback(String app, String sha, String token) throws Exception {
    return post("/api/v1/apps/" + app + "/rollback", "{\"commit\": \"" + sha + "\"}", token);
  }

  private boolean ready() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/readyz"))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Someone else's commit: the work repository catches up with the remote and pushes one. */
  private String pushElsewhere(String message, Map<String, String> files) throws Exception {
    try (Git git = Git.wrap(work.repository())) {
      git.fetch()
          .setRemote(bare.toUri().toString())
          .setRefSpecs("+refs/heads/main:refs/remotes/origin/main")
          .call();
    }
    work.resetHard("refs/remotes/origin/main");
    String sha = work.commit(message, files);
    work.pushTo(bare.toUri().toString(), "", "", false);
    return sha;
  }

  private RevCommit remoteHeadCommit() throws Exception {
    try (Git git = Git.open(bare.toFile());
        RevWalk walk = new RevWalk(git.getRepository())) {
      RevCommit commit = walk.parseCommit(git.getRepository().resolve("refs/heads/main"));
      walk.parseBody(commit);
      return commit;
    }
  }

  private String remoteFile(String path) throws Exception {
    try (Git git = Git.open(bare.toFile());
        RevWalk walk = new RevWalk(git.getRepository())) {
      Repository repository = git.getRepository();
      RevCommit head = walk.parseCommit(repository.resolve("refs/heads/main"));
      try (TreeWalk tree = TreeWalk.forPath(repository, path, head.getTree())) {
        if (tree == null) return null;
        return new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
      }
    }
  }
}
