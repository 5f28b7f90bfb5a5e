package ogp.protocol.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

/**
 * The one way OGP replaces a file it owns (tokens, keys, the agent's last assignment): atomically,
 * durably and readable only by its owner. Server and agent both write through it.
 *
 * <p>The content goes to a 0600 temporary file in the same directory, is forced to the disk, and
 * the temporary file is renamed over the target; then the directory is forced too, so that after a
 * power cut the target holds either the old content or the new, never an empty or half-written
 * file. The secret is never readable by others, not even for a moment. A write that fails (a full
 * disk, say) deletes its temporary file; temporary files that a crash left behind are removed by
 * {@link #removeLeftovers} when the process that owns the directory starts.
 */
public final class OwnerOnlyFile {
  /** How the temporary files end, so that {@link #removeLeftovers} finds only its own. */
  static final String TEMP_SUFFIX = ".ogp-tmp";

  /**
   * A temporary file older than this is a leftover: no write takes that long, so removing it cannot
   * break a write of another process (an {@code ogp tokens} command) that is under way.
   */
  static final Duration LEFTOVER_AGE = Duration.ofMinutes(1);

  private OwnerOnlyFile() {}

  /** Writes {@code content} (UTF-8) to {@code file}, replacing it, with mode 0600. */
  public static void write(Path file, String content) throws IOException {
    write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code content} to {@code file}, replacing it, with mode 0600. */
  public static void write(Path file, byte[] content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp =
        Files.createTempFile(
            dir,
            "." + file.getFileName() + ".",
            TEMP_SUFFIX,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) out.write(buffer);
        out.force(true); // the data is on the disk before the rename makes it the file
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp); // only there when the write or the rename failed
    }
    forceDirectory(dir);
  }

  /**
   * Removes the temporary files of {@link #write} that a crash or a full disk left in {@code dir}
   * (those older than a minute); returns how many. For the start of the process that owns the
   * directory. A missing directory has none.
   */
  public static int removeLeftovers(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return 0;
    FileTime before = FileTime.from(Instant.now().minus(LEFTOVER_AGE));
    int removed = 0;
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, ".*" + TEMP_SUFFIX)) {
      for (Path temp : temps) {
        if (Files.isRegularFile(temp) && Files.getLastModifiedTime(temp).compareTo(before) < 0) {
          if (Files.deleteIfExists(temp)) removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Makes the rename durable: the directory entry is forced like the file's data. Some platforms
   * (Windows) cannot open a directory for this; there the rename is as durable as the OS makes it.
   */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Not supported for directories on this platform: nothing more can be done.
    }
  }
}
