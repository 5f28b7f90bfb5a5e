package ogp.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a secret (a token, a private key, a host key) or a file of the server's own state to a
 * file only its owner can read. Here, below both the server and the agent, so both write the same
 * way.
 *
 * <p>The file is created with its permission atomically (a 0600 temporary file in the same
 * directory, renamed into place), so the secret is never readable by others, not even for a moment,
 * and a crash never leaves a half-written file.
 */
public final class OwnerOnlyFile {
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
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(temp, content);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
