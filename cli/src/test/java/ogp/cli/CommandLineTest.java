package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
    Files.writeString(tmp.resolve("apps/web.yaml"), """
        app: web
        image: busybox
        version: "1"
        hosts: [a]
        ports: ["80800:80"]
        restart: sometimes
        """);
    OgpRun run = ogp("validate", tmp.toString());
    assertEquals(1, run.exit());
    assertTrue(run.out().contains("apps/web.yaml:5:9: ports[0]: \"80800:80\" is not a valid port mapping"), run.out());
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
      String from = repo.commit("Start", Map.of(
          "apps/web.yaml", "app: web\nimage: busybox\nversion: \"41\"\nhosts: [host-a, host-b]\n",
          "apps/api.yaml", "app: api\nimage: busybox\nversion: \"7\"\nhosts: [host-b]\n"));
      repo.delete("Retire api", "apps/api.yaml");
      String to = repo.commit("Deploy web 42 and add worker", Map.of(
          "apps/web.yaml", "app: web\nimage: busybox\nversion: \"42\"\nhosts: [host-a, host-c]\n",
          "apps/worker.yaml", "app: worker\nimage: busybox\nversion: \"1\"\nhosts: [host-c]\n"));
      OgpRun run = ogp("diff", "--repo", repo.path().toString(), "--from", from, "--to", to);
      assertEquals(0, run.exit(), run.err());
      assertEquals("""
          - api on host-b
          ~ web 41 -> 42 on host-a
          - web on host-b
          + web 42 on host-c
          + worker 1 on host-c
          """, run.out());
      OgpRun markdown = ogp("diff", "--repo", repo.path().toString(), "--from", from, "--to", to, "--format", "markdown");
      assertTrue(markdown.out().contains("```diff"), markdown.out());
      OgpRun same = ogp("diff", "--repo", repo.path().toString(), "--from", to, "--to", "HEAD");
      assertEquals("no changes\n", same.out());
    }
  }

  @Test
  void diffRefusesAnInvalidTargetRevisionWithItsErrors() {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      String from = repo.commit("Start", Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\n"));
      String to = repo.commit("Break", Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\n"));
      OgpRun run = ogp("diff", "--repo", repo.path().toString(), "--from", from, "--to", to);
      assertEquals(1, run.exit());
      assertTrue(run.err().contains("apps/web.yaml:1:1:"), run.err());
      assertTrue(run.err().contains("--to revision"), run.err());
    }
  }

  @Test
  void unknownRevisionIsOneClearError() {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      repo.commit("Start", Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\n"));
      OgpRun run = ogp("diff", "--repo", repo.path().toString(), "--from", "nosuchbranch", "--to", "HEAD");
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
    for (String command : new String[] {"dev", "server", "agent", "validate", "diff", "set-image", "status", "watch", "rollback", "refresh", "hash-password"}) {
      OgpRun run = ogp(command, "--help");
      assertEquals(0, run.exit(), command);
      assertTrue(run.out().contains("Usage: ogp " + command), command + ": " + run.out());
    }
  }

  @Test
  void hashPasswordPrintsAUsersFileEntryWhoseHashVerifies() {
    var stdin = System.in;
    System.setIn(new java.io.ByteArrayInputStream("s3cret-pw\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    OgpRun run;
    try {
      run = ogp("hash-password", "alice", "--email", "alice@example.com", "--role", "deployer");
    } finally {
      System.setIn(stdin);
    }
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("- name: alice") && run.out().contains("role: deployer") && run.out().contains("email: alice@example.com"), run.out());
    String hash = run.out().replaceAll("(?s).*password: \"([^\"]+)\".*", "$1").strip();
    assertTrue(ogp.portal.auth.PasswordHashes.matches("s3cret-pw".toCharArray(), hash), hash);
    assertTrue(!run.out().contains("s3cret-pw"), "the password itself is never printed");
  }
}
