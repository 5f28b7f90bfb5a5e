package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.TokenGrant;
import ogp.reconciler.auth.TokenStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ogp tokens}: create, list, revoke and rotate on a data dir's token store. */
class TokensCommandTest {
  @TempDir Path dataDir;
  private TokenStore store;

  @BeforeEach
  void firstStart() throws Exception {
    store = TokenStore.bootstrap(dataDir, Clock.systemUTC(), new SecureRandom());
  }

  @Test
  void createPrintsTheTokenOnceAndItVerifiesWithItsRole() {
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--name",
            "jenkins",
            "--role",
            "deployer",
            "--expires",
            "30d",
            "--data-dir",
            dataDir.toString());
    assertEquals(0, run.exit(), run.err());
    String token = run.out().strip();
    assertTrue(token.matches("[A-Za-z0-9_-]{43}"), run.out());
    assertTrue(run.err().contains("shown only this once"), run.err());
    assertEquals(Optional.of(new TokenGrant("jenkins", Role.DEPLOYER)), store.verify(token));
  }

  @Test
  void listShowsNamesRolesAndDatesButNeverATokenOrHash() throws Exception {
    String token =
        ogp(
                "tokens",
                "create",
                "--name",
                "jenkins",
                "--role",
                "deployer",
                "--data-dir",
                dataDir.toString())
            .out()
            .strip();
    OgpRun list = ogp("tokens", "list", "--data-dir", dataDir.toString());
    assertEquals(0, list.exit(), list.err());
    assertTrue(
        list.out()
            .matches(
                "(?s)NAME +ROLE +CREATED +EXPIRES +USES LEFT\n.*jenkins +deployer .*never +-\n.*"),
        list.out());
    assertTrue(list.out().contains("admin "), list.out());
    assertFalse(list.out().contains(token));
    String stored = Files.readString(store.file());
    for (String hex : stored.split("\"")) {
      if (hex.matches("[0-9a-f]{64}"))
        assertFalse(list.out().contains(hex.substring(0, 8)), "a hash is listed");
    }
  }

  @Test
  void revokeRefusesTheTokenAtOnce() {
    String token =
        ogp(
                "tokens",
                "create",
                "--name",
                "ci",
                "--role",
                "viewer",
                "--data-dir",
                dataDir.toString())
            .out()
            .strip();
    OgpRun revoke = ogp("tokens", "revoke", "ci", "--data-dir", dataDir.toString());
    assertEquals(0, revoke.exit(), revoke.err());
    assertEquals(Optional.empty(), store.verify(token));
    OgpRun again = ogp("tokens", "revoke", "ci", "--data-dir", dataDir.toString());
    assertEquals(1, again.exit());
    assertEquals("ogp tokens revoke: no token named 'ci'; see ogp tokens list\n", again.err());
  }

  @Test
  void rotateJoinRewritesTheHandOverFileAndKeepsTheOldTokenDuringTheGrace() throws Exception {
    Path file = dataDir.resolve("join-token");
    String old = Files.readString(file).strip();
    OgpRun rotate =
        ogp("tokens", "rotate", "join", "--grace", "1h", "--data-dir", dataDir.toString());
    assertEquals(0, rotate.exit(), rotate.err());
    String fresh = rotate.out().strip();
    assertEquals(fresh, Files.readString(file).strip());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(store.verify(fresh).isPresent());
    assertTrue(store.verify(old).isPresent(), "old token valid during the grace");
  }

  @Test
  void badArgumentsGiveOneClearErrorAndExit2() {
    OgpRun role =
        ogp("tokens", "create", "--name", "x", "--role", "root", "--data-dir", dataDir.toString());
    assertEquals(2, role.exit());
    assertTrue(
        role.err().contains("unknown role 'root' (expected viewer, deployer, admin or join)"),
        role.err());
    OgpRun name =
        ogp(
            "tokens",
            "create",
            "--name",
            "two words",
            "--role",
            "viewer",
            "--data-dir",
            dataDir.toString());
    assertEquals(2, name.exit());
    assertTrue(
        name.err().startsWith("ogp tokens create: 'two words' is not a valid token name"),
        name.err());
    OgpRun grace =
        ogp("tokens", "rotate", "admin", "--grace", "soon", "--data-dir", dataDir.toString());
    assertEquals(2, grace.exit());
    assertTrue(grace.err().contains("'soon' is not a duration"), grace.err());
    assertEquals(2, ogp("tokens", "--data-dir", dataDir.toString()).exit());
    assertEquals(
        2,
        ogp(
                "tokens",
                "create",
                "--name",
                "x",
                "--role",
                "viewer",
                "--expires",
                "0s",
                "--data-dir",
                dataDir.toString())
            .exit());
    assertEquals(
        2,
        ogp("tokens", "rotate", "admin", "--expires", "0s", "--data-dir", dataDir.toString())
            .exit());
    assertEquals(
        2, ogp("tokens", "rotate", "--data-dir", dataDir.toString()).exit(), "NAME is required");
  }

  @Test
  void aDataDirWithoutAStoreIsAFailureNotAFreshStore(@TempDir Path empty) {
    OgpRun run = ogp("tokens", "list", "--data-dir", empty.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("no token store in " + empty), run.err());
    assertEquals("", run.out(), "no table header before the error");
    assertFalse(Files.exists(empty.resolve(TokenStore.FILE)));
  }

  @Test
  void createRefusesANameInUse() {
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--name",
            "admin",
            "--role",
            "admin",
            "--data-dir",
            dataDir.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("a token named 'admin' exists; rotate or revoke it"), run.err());
  }

  @Test
  void aJoinTokenWithUsesAndATtlGetsADefaultNameAndIsListedWithItsUsesLeft() {
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--kind",
            "join",
            "--uses",
            "50",
            "--ttl",
            "24h",
            "--data-dir",
            dataDir.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(
        run.err()
            .matches(
                "(?s)token 'join-[0-9a-f]{8}' \\(role join\\) created, 50 use\\(s\\), expires .*"),
        run.err());
    OgpRun list = ogp("tokens", "list", "--data-dir", dataDir.toString());
    assertTrue(list.out().matches("(?s).*\njoin-[0-9a-f]{8} +join .* 50\n.*"), list.out());
    assertTrue(list.out().matches("(?s).*\njoin +join .* unlimited\n.*"), list.out());
  }

  @Test
  void printJoinCommandPrintsTheEnrolLineWithTheRecordedAddressAndCaPin() throws Exception {
    String pin = "sha256:" + "ab".repeat(32);
    new JoinEndpoint("ogp.example.com:7070", pin).write(dataDir);
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--kind",
            "join",
            "--uses",
            "1",
            "--print-join-command",
            "--data-dir",
            dataDir.toString());
    assertEquals(0, run.exit(), run.err());
    String line = run.out().strip();
    assertTrue(
        line.matches(
            "ogp agent enroll --server ogp\\.example\\.com:7070 --token [A-Za-z0-9_-]{43} --ca-hash "
                + pin),
        line);
    String token = line.split(" ")[6];
    assertEquals(Role.JOIN, store.verify(token).orElseThrow().role());

    OgpRun other =
        ogp(
            "tokens",
            "create",
            "--kind",
            "join",
            "--print-join-command",
            "--server-address",
            "10.0.0.5:7443",
            "--data-dir",
            dataDir.toString());
    assertTrue(
        other.out().startsWith("ogp agent enroll --server 10.0.0.5:7443 --token "), other.out());
  }

  @Test
  void printJoinCommandWithoutARecordedEndpointFailsAndMakesNoToken() {
    int before = store.list().size();
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--kind",
            "join",
            "--print-join-command",
            "--data-dir",
            dataDir.toString());
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.err().contains(JoinEndpoint.FILE), run.err());
    assertEquals(before, store.list().size());
  }

  @Test
  void usesOnAnApiTokenIsBadUsage() {
    OgpRun run =
        ogp(
            "tokens",
            "create",
            "--name",
            "ci",
            "--role",
            "deployer",
            "--uses",
            "3",
            "--data-dir",
            dataDir.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("join tokens"), run.err());
  }
}
