package ogp.agent.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochTest {
  @TempDir Path dataDir;

  @Test
  void anEpochBelowTheHighestIsStaleAndZeroNever() {
    LeaderEpoch epochs = LeaderEpoch.inMemory();
    assertTrue(epochs.raise(7));
    assertTrue(epochs.stale(5));
    assertTrue(epochs.stale(6));
    assertFalse(epochs.stale(7));
    assertFalse(epochs.stale(8));
    assertFalse(epochs.stale(0), "a single server without etcd");
  }

  @Test
  void zeroAndLowerEpochsNeverLowerNorResetTheHighest() {
    LeaderEpoch epochs = LeaderEpoch.inMemory();
    epochs.raise(7);
    assertFalse(epochs.raise(0));
    assertFalse(epochs.raise(3));
    assertFalse(epochs.raise(7));
    assertEquals(7, epochs.highest());
  }

  @Test
  void theHighestIsKeptInTheDataDirOwnerOnlyAndReadAtTheNextStart() throws Exception {
    LeaderEpoch first = LeaderEpoch.in(dataDir);
    assertEquals(0, first.highest());
    first.raise(41);
    first.persist();

    Path file = dataDir.resolve(LeaderEpoch.FILE);
    assertEquals("41", Files.readString(file).strip());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(41, LeaderEpoch.in(dataDir).highest());
  }

  @Test
  void nothingIsWrittenUntilTheEpochRises() {
    LeaderEpoch epochs = LeaderEpoch.in(dataDir);
    epochs.raise(0);
    epochs.persist();
    assertFalse(Files.exists(dataDir.resolve(LeaderEpoch.FILE)));
  }

  @Test
  void anUnreadableFileCountsAsZeroAndIsReplacedByTheNextRaise() throws Exception {
    Files.writeString(dataDir.resolve(LeaderEpoch.FILE), "not a number\n");
    LeaderEpoch epochs = LeaderEpoch.in(dataDir);
    assertEquals(0, epochs.highest());
    epochs.raise(3);
    epochs.persist();
    assertEquals(3, LeaderEpoch.in(dataDir).highest());
  }
}
