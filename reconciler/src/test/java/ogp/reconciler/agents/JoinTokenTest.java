package ogp.reconciler.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokenTest {
  @TempDir Path dataDir;

  @Test
  void firstStartCreatesAPrivateRandomTokenAndLaterStartsReadTheSameOne() throws Exception {
    JoinToken first = JoinToken.loadOrCreate(dataDir, new SecureRandom());
    Path file = dataDir.resolve(JoinToken.FILE_NAME);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(first.reveal().matches("[A-Za-z0-9_-]{43}"), first.reveal());
    JoinToken second = JoinToken.loadOrCreate(dataDir, new SecureRandom());
    assertEquals(first.reveal(), second.reveal());
    try (var files = Files.list(dataDir)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void matchesOnlyTheExactTokenAndNeverPrintsIt() {
    JoinToken token = JoinToken.of("secret-token\n");

    assertTrue(token.matches("secret-token"));
    assertFalse(token.matches("secret-tokeN"));
    assertFalse(token.matches(""));
    assertFalse(token.toString().contains("secret"));
  }
}
