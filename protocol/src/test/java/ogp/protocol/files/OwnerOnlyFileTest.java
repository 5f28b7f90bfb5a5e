package ogp.protocol.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyFileTest {
  @TempDir Path dir;

  @Test
  void writesTheContentWithModeOwnerOnlyAndLeavesNoTemporaryFile() throws IOException {
    Path file = dir.resolve("secret");
    OwnerOnlyFile.write(file, "one\n");
    OwnerOnlyFile.write(file, "two\n");
    assertEquals("two\n", Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(List.of(file), entries());
  }

  @Test
  void aWriteThatFailsLeavesNoTemporaryFileAndTheOldContent() throws IOException {
    // The rename cannot replace a non-empty directory: the write fails after the temporary file
    // was written, as with a full disk.
    Path target = dir.resolve("tokens.json");
    Files.createDirectories(target);
    Files.writeString(target.resolve("inside"), "kept");
    assertThrows(IOException.class, () -> OwnerOnlyFile.write(target, "new"));
    assertEquals(List.of(target), entries());
    assertEquals("kept", Files.readString(target.resolve("inside")));
  }

  @Test
  void leftoverTemporaryFilesOlderThanAMinuteAreRemovedAndNothingElse() throws IOException {
    Path stale = Files.writeString(dir.resolve(".tokens.json.123" + OwnerOnlyFile.TEMP_SUFFIX), "");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3_600)));
    Path inFlight =
        Files.writeString(dir.resolve(".tokens.json.456" + OwnerOnlyFile.TEMP_SUFFIX), "");
    Path other = Files.writeString(dir.resolve(".other.tmp"), "");
    Files.setLastModifiedTime(other, FileTime.from(Instant.now().minusSeconds(3_600)));

    assertEquals(1, OwnerOnlyFile.removeLeftovers(dir));
    assertEquals(List.of(other, inFlight), entries());
    assertEquals(0, OwnerOnlyFile.removeLeftovers(dir.resolve("missing")));
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
