package ogp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import ogp.protocol.v1.Assignment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssignmentStoreTest {
  @TempDir Path dataDir;

  @Test
  void theLastAssignmentIsKeptOwnerOnlyWithNoTemporaryFile() throws IOException {
    new AssignmentStore(dataDir).save(Assignment.newBuilder().setRevision("rev-1").build());
    Path file = dataDir.resolve("assignment.pb");
    assertEquals("rev-1", new AssignmentStore(dataDir).load().orElseThrow().getRevision());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(List.of(file), entries());
  }

  @Test
  void aSaveThatFailsLeavesNoTemporaryFile() throws IOException {
    // A non-empty directory where the file should be: the rename fails after the write, as a
    // full disk makes a write fail half-way.
    Path blocked = Files.createDirectories(dataDir.resolve("assignment.pb"));
    Files.writeString(blocked.resolve("x"), "");
    new AssignmentStore(dataDir).save(Assignment.newBuilder().setRevision("rev-1").build());
    assertEquals(List.of(blocked), entries());
  }

  @Test
  void temporaryFilesACrashLeftAreRemovedWhenTheAgentStarts() throws IOException {
    Path stale = Files.writeString(dataDir.resolve(".assignment.pb.987.ogp-tmp"), "half");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(600)));
    new AssignmentStore(dataDir);
    assertEquals(List.of(), entries());
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> files = Files.list(dataDir)) {
      return files.sorted().toList();
    }
  }
}
