package ogp.portal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portal's admin login follows the server's token store: rotation, grace and other tokens. */
class UserDirectoryTokensTest {
  @TempDir Path dataDir;
  private final MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");

  @Test
  void adminLoginTakesTheRotatedAdminTokenAndTheOldOneOnlyDuringTheGrace() throws Exception {
    TokenStore tokens = TokenStore.bootstrap(dataDir, clock, new SecureRandom());
    UserDirectory users = new UserDirectory(tokens, null);
    String old = Files.readString(dataDir.resolve("admin-token")).strip();
    String fresh =
        tokens.rotate("admin", Duration.ofMinutes(10), Optional.empty(), new SecureRandom());

    assertEquals(
        Optional.of(Role.ADMIN), users.authenticate("admin", fresh).map(s -> s.user().role()));
    assertTrue(users.authenticate("admin", old).isPresent(), "during the grace");
    clock.advance(Duration.ofMinutes(10));
    assertEquals(Optional.empty(), users.authenticate("admin", old));
  }

  @Test
  void otherTokensAreNoAdminPassword() throws Exception {
    TokenStore tokens = TokenStore.bootstrap(dataDir, clock, new SecureRandom());
    UserDirectory users = new UserDirectory(tokens, null);
    String otherAdmin = tokens.create("ops", Role.ADMIN, Optional.empty(), new SecureRandom());
    assertEquals(Optional.empty(), users.authenticate("admin", otherAdmin));
    assertEquals(
        Optional.empty(),
        users.authenticate("admin", Files.readString(dataDir.resolve("join-token")).strip()));
    assertEquals(
        Optional.empty(), users.authenticate("ops", otherAdmin), "a token is no user's password");
  }

  @Test
  void anAdminSessionEndsWithTheGraceOfTheTokenItSignedInWithAndARevokedTokenAtOnce()
      throws Exception {
    TokenStore tokens = TokenStore.bootstrap(dataDir, clock, new SecureRandom());
    UserDirectory users = new UserDirectory(tokens, null);
    String old = Files.readString(dataDir.resolve("admin-token")).strip();
    UserDirectory.SignedIn session = users.authenticate("admin", old).orElseThrow();
    assertTrue(users.recheck("admin", session.credential()).isPresent(), "signed in");

    String fresh =
        tokens.rotate("admin", Duration.ofMinutes(10), Optional.empty(), new SecureRandom());
    UserDirectory.SignedIn freshSession = users.authenticate("admin", fresh).orElseThrow();
    assertTrue(users.recheck("admin", session.credential()).isPresent(), "during the grace");
    clock.advance(Duration.ofMinutes(10));
    assertEquals(
        Optional.empty(),
        users.recheck("admin", session.credential()),
        "the rotated-out token's session ends with the grace");
    assertTrue(users.recheck("admin", freshSession.credential()).isPresent());

    tokens.revoke("admin");
    assertEquals(Optional.empty(), users.recheck("admin", freshSession.credential()));
    assertEquals(Optional.empty(), users.recheck("admin", "token:forged"));
  }
}
