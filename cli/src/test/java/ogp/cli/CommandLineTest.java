package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that need no server, run as a user runs them: output, errors and exit codes. */
class CommandLineTest {
  @TempDir Path tmp;

  @Test
  void validateAcceptsTheExampleDesiredState() {
    OgpRun run = ogp("validate", Path.of("..", "example-desired-state").toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("valid: 3 app(s)"), run.out());
  }

  @Test
  void validatePrintsEveryErrorWithItsPositionAndExitsOne() throws Exception {
    Files.createDirectories(tmp.resolve("apps"));
    Files.writeString(
        tmp.resolve("apps/web.yaml"),
        """
        app: web
        image: busybox
        version: "1"
        hosts: [a]
        ports: ["80800:80"]
        restart: sometimes
        """);
    OgpRun run = ogp("validate", tmp.toString());
    assertEquals(1, run.exit());
    assertTrue(
        run.out().contains("apps/web.yaml:5:9: ports[0]: \"80800:80\" is not a valid port mapping"),
        run.out());
    assertTrue(run.out().contains("apps/web.yaml:6:10: restart:"), run.out());
    assertTrue(run.err().contains("2 error(s)"), run.err());
  }

  @Test
  void validateOfAMissingDirectoryIsBadUsage() {
    OgpRun run = ogp("validate", tmp.resolve("nope").toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("is not a directory"), run.err());
    assertFalse(run.err().contains("Exception"), "one sentence, no stack trace: " + run.err());
  }

  @Test
  void diffShowsPerAppAndHostChangesBetweenTwoRevisionsOfALocalClone() {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      String from =
          repo.commit(
              "Start",
              Map.of(
                  "apps/web.yaml",
                      "app: web\nimage: busybox\nversion: \"41\"\nhosts: [host-a, host-b]\n",
                  "apps/api.yaml", "app: api\nimage: busybox\nversion: \"7\"\nhosts: [host-b]\n"));
      repo.delete("Retire api", "apps/api.yaml");
      String to =
          repo.commit(
              "Deploy web 42 and add worker",
              Map.of(
                  "apps/web.yaml",
                      "app: web\nimage: busybox\nversion: \"42\"\nhosts: [host-a, host-c]\n",
                  "apps/worker.yaml",
                      "app: worker\nimage: busybox\nversion: \"1\"\nhosts: [host-c]\n"));
      OgpRun run = ogp("diff", "--repo", repo.path().toString(), "--from", from, "--to", to);
      assertEquals(0, run.exit(), run.err());
      assertEquals(
          """
          - api on host-b
          ~ web 41 -> 42 on host-a
          - web on host-b
          + web 42 on host-c
          + worker 1 on host-c
          """,
          run.out());
      OgpRun markdown =
          ogp(
              "diff",
              "--repo",
              repo.path().toString(),
              "--from",
              from,
              "--to",
              to,
              "--format",
              "markdown");
      assertTrue(markdown.out().contains("```diff"), markdown.out());
      OgpRun same = ogp("diff", "--repo", repo.path().toString(), "--from", to, "--to", "HEAD");
      assertEquals("no changes\n", same.out());
    }
  }

  @Test
  void diffRefusesAnInvalidTargetRevisionWithItsErrors() {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      String from =
          repo.commit(
              "Start",
              Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\n"));
      String to =
          repo.commit(
              "Break", Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\n"));
      OgpRun run = ogp("diff", "--repo", repo.path().toString(), "--from", from, "--to", to);
      assertEquals(1, run.exit());
      assertTrue(run.err().contains("apps/web.yaml:1:1:"), run.err());
      assertTrue(run.err().contains("--to revision"), run.err());
    }
  }

  @Test
  void unknownRevisionIsOneClearError() {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      repo.commit(
          "Start",
          Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\n"));
      OgpRun run =
          ogp("diff", "--repo", repo.path().toString(), "--from", "nosuchbranch", "--to", "HEAD");
      assertEquals(1, run.exit());
      assertTrue(run.err().contains("nosuchbranch"), run.err());
      assertEquals(1, run.err().strip().lines().count(), run.err());
    }
  }

  @Test
  void badUsageExitsTwoWithAPointerToHelp() {
    OgpRun missing = ogp("diff", "--repo", ".");
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("Missing required options"), missing.err());
    assertTrue(missing.err().contains("ogp diff --help"), missing.err());
    assertEquals(2, ogp("no-such-command").exit());
    assertEquals(2, ogp("server", "--repo", "x", "--poll", "soon").exit());
  }

  @Test
  void everyCommandHasHelp() {
    for (String command :
        new String[] {
          "dev",
          "server",
          "agent",
          "validate",
          "diff",
          "set-image",
          "status",
          "watch",
          "rollback",
          "refresh",
          "confirm",
          "hash-password",
          "hosts",
          "hosts release",
          "hosts label",
          "cluster"
        }) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.add("--help");
      OgpRun run = ogp(args.toArray(String[]::new));
      assertEquals(0, run.exit(), command);
      assertTrue(run.out().contains("Usage: ogp " + command), command + ": " + run.out());
    }
  }

  @Test
  void hashPasswordPrintsAUsersFileEntryWhoseHashVerifies() {
    var stdin = System.in;
    System.setIn(
        new java.io.ByteArrayInputStream(
            "s3cret-pw\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    OgpRun run;
    try {
      run = ogp("hash-password", "alice", "--email", "alice@example.com", "--role", "deployer");
    } finally {
      System.setIn(stdin);
    }
    assertEquals(0, run.exit(), run.err());
    assertTrue(
        run.out().contains("- name: alice")
            && run.out().contains("role: deployer")
            && run.out().contains("email: alice@example.com"),
        run.out());
    String hash = run.out().replaceAll("(?s).*password: \"([^\"]+)\".*", "$1").strip();
    assertTrue(ogp.portal.auth.PasswordHashes.matches("s3cret-pw".toCharArray(), hash), hash);
    assertTrue(!run.out().contains("s3cret-pw"), "the password itself is never printed");
  }

  @Test
  void aBadRoleIsBadUsage() {
    OgpRun run = ogp("hash-password", "alice", "--role", "root");
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("unknown role 'root'"), run.err());
  }

  @Test
  void anUnknownCommandIsBadUsageEvenWithHelpAndAMistypedOneGetsSuggestions() {
    OgpRun help = ogp("nosuch", "--help");
    assertEquals(2, help.exit(), help.out());
    assertTrue(help.err().contains("'nosuch'"), help.err());
    assertFalse(
        help.out().contains("Usage: ogp"), "no top-level help as if all was well: " + help.out());
    OgpRun typo = ogp("statsu");
    assertEquals(2, typo.exit());
    assertTrue(typo.err().contains("Did you mean: status"), typo.err());
  }

  @Test
  void versionNamesTheBuild() {
    OgpRun run = ogp("--version");
    assertEquals(0, run.exit());
    assertTrue(run.out().strip().matches("ogp \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), run.out());
  }

  @Test
  void validateBoundsEveryMessageAndSaysWhichDirectoryItRead() throws Exception {
    Files.createDirectories(tmp.resolve("apps"));
    Files.writeString(
        tmp.resolve("apps/web.yaml"),
        "app: web\nimage: busybox\nversion: \""
            + "x".repeat(200_000)
            + "\"\nhosts: [a]\nnope: "
            + "y".repeat(200_000)
            + "\n");
    OgpRun run = ogp("validate", tmp.toString());
    assertEquals(1, run.exit());
    for (String line : run.out().split("\n"))
      assertTrue(line.length() < 1_000, "a bounded line: " + line.length() + " characters");
    assertTrue(run.err().contains("error(s) in " + tmp.toAbsolutePath()), run.err());
  }

  @Test
  void statusSaysWhyAnAppHasNoHost() {
    assertEquals(
        "no host matches selector role=web", StatusCommand.whyNoHost("selector: role=web"));
    assertEquals("placed on no host (hosts: )", StatusCommand.whyNoHost("hosts: "));
  }

  @Test
  void aClientWithoutATokenIsToldWhereItLookedAndHowToGiveOne() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            new ServerProcess.Settings(
                exampleRepo(),
                tmp.resolve("server"),
                java.time.Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                java.time.Duration.ofSeconds(15),
                null))) {
      OgpRun run = ogp("status", "--server", "http://127.0.0.1:" + server.httpPort());
      assertEquals(1, run.exit());
      assertTrue(
          run.err().contains("401")
              && run.err().contains("--token")
              && run.err().contains("OGP_TOKEN"),
          run.err());
      OgpRun unknown =
          ogp(
              "refresh",
              "--server",
              "http://127.0.0.1:" + server.httpPort() + "/api/v2",
              "--token",
              server.adminToken().reveal());
      assertTrue(
          unknown.err().contains("no such endpoint: POST /api/v2/api/v1/refresh"),
          "JSON error of an unknown endpoint: " + unknown.err());
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirAndAServerOnAPortInUseAreRefusedWithOneSentence()
      throws Exception {
    try (ServerProcess first =
        new ServerProcess(
            new ServerProcess.Settings(
                exampleRepo(),
                tmp.resolve("data"),
                java.time.Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                java.time.Duration.ofSeconds(15),
                null))) {
      CommandFailure second =
          org.junit.jupiter.api.Assertions.assertThrows(
              CommandFailure.class,
              () ->
                  new ServerProcess(
                      new ServerProcess.Settings(
                          exampleRepo(),
                          tmp.resolve("data"),
                          java.time.Duration.ofHours(1),
                          "127.0.0.1",
                          0,
                          0,
                          java.time.Duration.ofSeconds(15),
                          null)));
      assertTrue(
          second.getMessage().contains("already running on the data dir"), second.getMessage());
      CommandFailure taken =
          org.junit.jupiter.api.Assertions.assertThrows(
              CommandFailure.class,
              () ->
                  new ServerProcess(
                      new ServerProcess.Settings(
                          exampleRepo(),
                          tmp.resolve("other"),
                          java.time.Duration.ofHours(1),
                          "127.0.0.1",
                          first.httpPort(),
                          0,
                          java.time.Duration.ofSeconds(15),
                          null)));
      assertTrue(
          taken.getMessage().contains("port " + first.httpPort())
              && taken.getMessage().contains("--http-port"),
          taken.getMessage());
    }
  }

  @Test
  void aServerWhoseFirstFetchFailedIsNotReadyAndSaysWhy() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            new ServerProcess.Settings(
                ogp.reconciler.source.GitRemote.of(
                    tmp.resolve("no-such-repo").toString(), "main", ""),
                tmp.resolve("server"),
                java.time.Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                java.time.Duration.ofSeconds(15),
                null))) {
      java.util.Optional<String> why =
          server.notReadyAfterFirstFetch(java.time.Duration.ofSeconds(30));
      assertTrue(
          why.isPresent() && why.get().contains("no-such-repo"),
          "not ready, with the fetch's error: " + why);
    }
  }

  @Test
  void anAgentOrDevWithAHostIdThatIsNotADnsLabelIsBadUsageInOneSentence() {
    for (String command : List.of("agent", "dev")) {
      OgpRun run =
          command.equals("agent")
              ? ogp("agent", "--server", "127.0.0.1:1", "--host-id", "Web_1\nforged")
              : ogp("dev", "--host-id", "Web_1", "--data-dir", tmp.resolve("d").toString());
      assertEquals(2, run.exit(), command + ": " + run.err());
      assertTrue(run.err().contains("is not a DNS label"), run.err());
      assertFalse(run.err().contains("Exception"), run.err());
      assertFalse(Files.exists(tmp.resolve("d")), "nothing is started or written");
    }
    OgpRun release = ogp("hosts", "release", "DB 1", "--server", "http://127.0.0.1:1");
    assertEquals(2, release.exit(), release.err());
    assertTrue(release.err().contains("is not a DNS label"), release.err());
  }

  @Test
  void devRefusesABadLabelAsBadUsage() {
    OgpRun run = ogp("dev", "--label", "role", "--data-dir", tmp.resolve("d").toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("--label must be k=v"), run.err());
  }

  /** A file:// repository holding the example desired state. */
  private ogp.reconciler.source.GitRemote exampleRepo() throws Exception {
    return LocalServers.oneAppRepo(tmp);
  }
}
