package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenStore;
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
import org.slf4j.LoggerFactory;

/**
 * The API's token roles against the real server wiring: viewers read, deployers deploy, admins do
 * everything; tokens made with {@code ogp tokens} work on the running server at once; the name of
 * the token is the actor of its commits; a refused token is never logged nor echoed. A rollback
 * reverts only the app's own document of its file, and only what the token's role may change: a
 * deployer the version and state; anything more is 403 naming the fields, and commits nothing.
 */
class ApiTokensTest {
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
    server = startServer();
  }

  private ServerProcess startServer() throws Exception {
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(bare.toUri().toString(), "main", ""),
                dataDir(),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
    await("the first revision is applied")
        .atMost(WAIT)
        .until(() -> status("GET", "/readyz", null), code -> code == 200);
    return server;
  }

  private Path dataDir() {
    return tmp.resolve("server");
  }

  /** The read-only API token the server wrote on its first start, from its hand-over file. */
  private SecretToken viewerToken() throws java.io.IOException {
    return SecretToken.of(
        Files.readString(
            dataDir().resolve(SecretToken.VIEWER_TOKEN_FILE),
            java.nio.charset.StandardCharsets.US_ASCII));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (work != null) work.close();
  }

  @Test
  void viewerTokenReadsButCannotChangeAnything() throws Exception {
    String viewer = viewerToken().reveal();
    for (String read :
        new String[] {
          "/api/v1/apps",
          "/api/v1/apps/web",
          "/api/v1/hosts",
          "/api/v1/revision",
          "/api/v1/apps/web/history",
          "/api/v1/events"
        }) {
      assertEquals(200, send("GET", read, viewer).statusCode(), read);
    }
    String head = head();
    HttpResponse<String> deploy =
        send("POST", "/api/v1/apps/web/deploy", viewer, "{\"version\": \"2\"}");
    assertEquals(403, deploy.statusCode());
    JsonNode error = JSON.readTree(deploy.body());
    assertEquals(
        "the token 'viewer' has role viewer; this needs role deployer",
        error.get("error").asText());
    assertEquals("deployer", error.get("requiredRole").asText());
    assertEquals(head, head(), "nothing committed");
    assertEquals(403, send("POST", "/api/v1/refresh", viewer).statusCode());
  }

  @Test
  void deployerTokenDeploysAndItsNameIsTheActorOfTheCommit() throws Exception {
    String jenkins = create("jenkins", "deployer");
    HttpResponse<String> deploy =
        send("POST", "/api/v1/apps/web/deploy", jenkins, "{\"version\": \"2\"}");
    assertEquals(200, deploy.statusCode(), deploy.body());
    try (Git g = Git.open(bare.toFile())) {
      var commit = g.log().setMaxCount(1).call().iterator().next();
      assertTrue(commit.getFullMessage().endsWith("Ogp-Actor: jenkins\n"), commit.getFullMessage());
      assertEquals("jenkins", commit.getAuthorIdent().getName());
    }
    for (String change :
        new String[] {"/api/v1/apps/web/offline", "/api/v1/apps/web/online", "/api/v1/refresh"}) {
      int status = send("POST", change, jenkins).statusCode();
      assertTrue(status == 200 || status == 202, change + " -> " + status);
    }
  }

  @Test
  void aRefusedRequestWithALargeBodyGetsItsAnswerAndTheConnectionStaysUsable() throws Exception {
    // The server used to answer before reading such a body and close the connection with it
    // unread: the reset could reach the client before the answer did (about one in forty).
    String body = "[".repeat(50_000);
    String admin = server.adminToken().reveal();
    for (int i = 0; i < 300; i++) {
      assertEquals(
          401, send("POST", "/api/v1/refresh", "not-a-token", body).statusCode(), "try " + i);
      assertEquals(202, send("POST", "/api/v1/refresh", admin, body).statusCode(), "try " + i);
    }
  }

  @Test
  void deployerTokenCannotCallAdminEndpoint() throws Exception {
    String jenkins = create("jenkins", "deployer");
    String head = head();
    HttpResponse<String> place =
        send("POST", "/api/v1/apps/web/deploy", jenkins, "{\"hosts\": [\"h2\"]}");
    assertEquals(403, place.statusCode(), place.body());
    assertEquals("admin", JSON.readTree(place.body()).get("requiredRole").asText());
    HttpResponse<String> other = send("DELETE", "/api/v1/apps/web", jenkins);
    assertEquals(403, other.statusCode(), "anything not granted to deployers is admin only");
    assertEquals(head, head(), "nothing committed");
    assertEquals(
        200,
        send(
                "POST",
                "/api/v1/apps/web/deploy",
                server.adminToken().reveal(),
                "{\"hosts\": [\"h2\"]}")
            .statusCode());
  }

  @Test
  void noUnknownOrJoinTokenIsRefusedWith401() throws Exception {
    assertEquals(202, send("POST", "/api/v1/refresh", server.adminToken().reveal()).statusCode());
    assertEquals(401, send("GET", "/api/v1/apps", "not-a-token").statusCode());
    assertEquals(401, send("GET", "/api/v1/apps", null).statusCode());
    assertEquals(
        401,
        send("GET", "/api/v1/apps", server.joinToken().reveal()).statusCode(),
        "a join token is no API token");
  }

  @Test
  void serverPicksUpNewTokenWithoutRestart() throws Exception {
    String ci = create("ci", "viewer");
    assertEquals(200, send("GET", "/api/v1/apps", ci).statusCode(), "works at once");
    assertEquals(0, ogp("tokens", "revoke", "ci", "--data-dir", dataDir().toString()).exit());
    assertEquals(401, send("GET", "/api/v1/apps", ci).statusCode(), "refused at once");
  }

  @Test
  void rotatedAdminTokenWorksAtOnceAndTheOldOneUntilTheGraceEnds() throws Exception {
    String old = server.adminToken().reveal();
    OgpRun rotate =
        ogp("tokens", "rotate", "admin", "--grace", "2s", "--data-dir", dataDir().toString());
    assertEquals(0, rotate.exit(), rotate.err());
    String fresh = rotate.out().strip();
    assertEquals(fresh, server.adminToken().reveal(), "the hand-over file holds the new token");
    assertEquals(202, send("POST", "/api/v1/refresh", fresh).statusCode());
    Instant graceEnd = Instant.now().plusSeconds(2);
    int during = send("POST", "/api/v1/refresh", old).statusCode();
    if (Instant.now().isBefore(graceEnd))
      assertEquals(202, during, "the old token during the grace");
    await("the old admin token is refused after the grace")
        .atMost(WAIT)
        .until(() -> status("GET", "/api/v1/apps", old), code -> code == 401);
    assertEquals(200, send("GET", "/api/v1/apps", fresh).statusCode());
  }

  @Test
  void handOverFilesMayBeDeletedAndTheServerRestartsWithTheSameTokens() throws Exception {
    String admin = server.adminToken().reveal();
    String viewer = viewerToken().reveal();
    Path viewerFile = dataDir().resolve(SecretToken.VIEWER_TOKEN_FILE);
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(viewerFile)));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dataDir().resolve(TokenStore.FILE))));
    server.close();
    Files.delete(viewerFile);
    Files.delete(dataDir().resolve(SecretToken.ADMIN_TOKEN_FILE));
    server = startServer();
    assertEquals(200, send("GET", "/api/v1/apps", viewer).statusCode());
    assertEquals(202, send("POST", "/api/v1/refresh", admin).statusCode());
    assertFalse(Files.exists(viewerFile), "not written again");
  }

  @Test
  void refusedTokenNeverAppearsInTheLogOrTheResponse() throws Exception {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logged.start();
    root.addAppender(logged);
    String admin = server.adminToken().reveal();
    String nearCopy = admin.substring(0, admin.length() - 1) + (admin.endsWith("A") ? "B" : "A");
    String viewer = viewerToken().reveal();
    try {
      HttpResponse<String> unknown = send("GET", "/api/v1/apps", nearCopy);
      HttpResponse<String> forbidden =
          send("POST", "/api/v1/apps/web/deploy", viewer, "{\"version\": \"2\"}");
      assertEquals(401, unknown.statusCode());
      assertEquals(403, forbidden.statusCode());
      for (HttpResponse<String> r : java.util.List.of(unknown, forbidden)) {
        assertFalse(
            r.body().contains(nearCopy) || r.body().contains(viewer) || r.body().contains(admin),
            r.body());
        assertFalse(r.headers().map().toString().contains(nearCopy), r.headers().map().toString());
      }
    } finally {
      root.detachAppender(logged);
    }
    String log;
    synchronized (logged) { // a late append from a server thread holds the same lock
      log =
          logged.list.stream()
              .map(
                  e ->
                      e.getFormattedMessage()
                          + (e.getThrowableProxy() == null
                              ? ""
                              : " " + e.getThrowableProxy().getMessage()))
              .collect(Collectors.joining("\n"));
    }
    assertFalse(log.contains(nearCopy), log);
    assertFalse(log.contains(viewer), log);
    assertFalse(log.contains(admin), log);
  }

  @Test
  void aDeployerRollsBackACommitThatChangedOnlyTheVersion() throws Exception {
    String jenkins = create("jenkins", "deployer");
    HttpResponse<String> deploy =
        send("POST", "/api/v1/apps/web/deploy", jenkins, "{\"version\": \"2\"}");
    assertEquals(200, deploy.statusCode(), deploy.body());
    String sha = JSON.readTree(deploy.body()).get("commit").asText();

    HttpResponse<String> rollback = rollback("web", sha, jenkins);

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
    String jenkins = create("jenkins", "deployer");
    String sha =
        pushElsewhere(
            "Move web to h2 with debugging",
            Map.of(
                "apps/web.yaml",
                TestApps.web("2").replace("[h1]", "[h2]") + "env:\n  DEBUG: \"1\"\n"));
    String head = head();

    HttpResponse<String> refused = rollback("web", sha, jenkins);

    assertEquals(403, refused.statusCode(), refused.body());
    JsonNode error = JSON.readTree(refused.body());
    assertEquals(
        "rolling back "
            + sha.substring(0, 7)
            + " would change hosts, env of web; a deployer may change only version and state:"
            + " ask an admin",
        error.get("error").asText());
    assertEquals("admin", error.get("requiredRole").asText());
    assertEquals(head, head(), "nothing committed");

    OgpRun cli =
        ogp(
            "rollback",
            "web",
            "--to",
            sha,
            "--server",
            "http://127.0.0.1:" + server.httpPort(),
            "--token",
            jenkins);
    assertNotEquals(0, cli.exit());
    assertTrue(
        cli.err().contains("403: rolling back " + sha.substring(0, 7) + " would change hosts, env"),
        cli.err());
    assertEquals(head, head(), "nothing committed");

    HttpResponse<String> byAdmin = rollback("web", sha, server.adminToken().reveal());
    assertEquals(200, byAdmin.statusCode(), byAdmin.body());
    assertEquals(TestApps.web("1"), remoteFile("apps/web.yaml"));
  }

  @Test
  void rollingBackACommitThatChangedTwoAppsOfAFileRevertsOnlyTheAppsOwnDocument() throws Exception {
    String jenkins = create("jenkins", "deployer");
    String both = TEAM.replace("\"7\"", "\"8\"").replace("\"3\"", "\"4\"");
    String sha = pushElsewhere("Deploy api 8 and worker 4", Map.of("apps/team.yaml", both));

    HttpResponse<String> rollback = rollback("api", sha, jenkins);

    assertEquals(200, rollback.statusCode(), rollback.body());
    assertEquals(
        TEAM.replace("\"3\"", "\"4\""),
        remoteFile("apps/team.yaml"),
        "api is back at 7; worker stays at 4, byte for byte");
  }

  @Test
  void rollingBackTheCommitThatAddedAnAppToAFileRemovesOnlyItsDocumentAndNeedsAnAdmin()
      throws Exception {
    String jenkins = create("jenkins", "deployer");
    String cron =
        "---\n# nightly\napp: cron\nimage: 127.0.0.1:5000/demo/cron\nversion: \"1\"\nhosts: [h1]\n";
    String sha = pushElsewhere("Add cron", Map.of("apps/team.yaml", TEAM + cron));
    String head = head();

    HttpResponse<String> refused = rollback("cron", sha, jenkins);
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals(
        "rolling back "
            + sha.substring(0, 7)
            + " would remove app cron (the commit added its document); a deployer may change only"
            + " version and state: ask an admin",
        JSON.readTree(refused.body()).get("error").asText());
    assertEquals(head, head(), "nothing committed");

    HttpResponse<String> byAdmin = rollback("cron", sha, server.adminToken().reveal());

    assertEquals(200, byAdmin.statusCode(), byAdmin.body());
    assertEquals(TEAM, remoteFile("apps/team.yaml"), "api and worker stay, byte for byte");
  }

  private HttpResponse<String> rollback(String app, String sha, String token) throws Exception {
    return send(
        "POST", "/api/v1/apps/" + app + "/rollback", token, "{\"commit\": \"" + sha + "\"}");
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

  private String create(String name, String role) {
    OgpRun run =
        ogp("tokens", "create", "--name", name, "--role", role, "--data-dir", dataDir().toString());
    assertEquals(0, run.exit(), run.err());
    return run.out().strip();
  }

  private String head() throws Exception {
    try (Git g = Git.open(bare.toFile())) {
      return g.getRepository().resolve("refs/heads/main").name();
    }
  }

  private int status(String method, String path, String token) {
    try {
      return send(method, path, token).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    return send(method, path, token, "");
  }

  private HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return LocalServers.send(http, server, method, path, token, body);
  }
}
