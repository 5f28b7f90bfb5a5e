package ogp.reconciler.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTokenTest {
  @TempDir Path dataDir;

  @Test
  void firstStartCreatesAPrivateRandomTokenAndLaterStartsReadTheSameOne() throws Exception {
    SecretToken first =
        SecretToken.loadOrCreate(dataDir.resolve(SecretToken.JOIN_TOKEN_FILE), new SecureRandom());
    Path file = dataDir.resolve(SecretToken.JOIN_TOKEN_FILE);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(first.reveal().matches("[A-Za-z0-9_-]{43}"), first.reveal());
    SecretToken second =
        SecretToken.loadOrCreate(dataDir.resolve(SecretToken.JOIN_TOKEN_FILE), new SecureRandom());
    assertEquals(first.reveal(), second.reveal());
    try (var files = Files.list(dataDir)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void generatedTokensNeverStartWithADashSoTheyPassAsAnOptionValue() {
    // One in 64 would without the rule; 10,000 tries make a miss all but certain to show.
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 10_000; i++) {
      String token = SecretToken.generate(random);
      assertFalse(token.startsWith("-"), token);
      assertEquals(43, token.length());
    }
  }

  @Test
  void matchesOnlyTheExactTokenAndNeverPrintsIt() {
    SecretToken token = SecretToken.of("secret-token\n");

    assertTrue(token.matches("secret-token"));
    assertFalse(token.matches("secret-tokeN"));
    assertFalse(token.matches(""));
    assertFalse(token.toString().contains("secret"));
  }
}
