package ogp.agent.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's host key: made once, owner-only, read back on every later start; a damaged file is
 * refused with what to do, never silently replaced (that would be a new identity).
 */
class HostKeyTest {
  @TempDir Path dataDir;

  @Test
  void theFirstStartMakesAnOwnerOnlyKeyAndLaterStartsReadTheSameOne() throws IOException {
    HostKey first = HostKey.loadOrCreate(dataDir.resolve("nested"));
    Path file = dataDir.resolve("nested").resolve(HostKey.FILE);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(32, first.bytes().length);
    assertEquals(HexFormat.of().formatHex(first.bytes()), Files.readString(file).strip());
    assertArrayEquals(first.bytes(), HostKey.loadOrCreate(dataDir.resolve("nested")).bytes());
  }

  @Test
  void everyNewKeyIsRandom() {
    assertFalse(java.util.Arrays.equals(HostKey.random().bytes(), HostKey.random().bytes()));
  }

  @Test
  void aDamagedKeyFileIsRefusedWithWhatToDoAndLeftAsItIs() throws IOException {
    Path file = dataDir.resolve(HostKey.FILE);
    Files.writeString(file, "not a key\n");

    IOException e = assertThrows(IOException.class, () -> HostKey.loadOrCreate(dataDir));

    assertTrue(e.getMessage().contains("ogp hosts release"), e.getMessage());
    assertEquals("not a key\n", Files.readString(file));
  }

  @Test
  void theKeyNeverShowsInText() {
    HostKey key = HostKey.random();
    assertFalse(key.toString().contains(HexFormat.of().formatHex(key.bytes())));
  }

  @Test
  void aHostIdThatIsNotADnsLabelIsRefusedInOneSentence() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new AgentIdentity("Web_1", Map.of(), "test", "27.0"));
    assertTrue(e.getMessage().contains("is not a DNS label"), e.getMessage());
  }
}
