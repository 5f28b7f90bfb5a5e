package ogp.reconciler.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a secret (a token, a private key) to a file only its owner can read.
 *
 * <p>The file is created with its permission atomically (a 0600 temporary file in the same
 * directory, renamed into place), so the secret is never readable by others, not even for a moment,
 * and a crash never leaves a half-written secret.
 */
public final class OwnerOnlyFile {
  private OwnerOnlyFile() {}

  /** Writes {@code content} (UTF-8) to {@code file}, replacing it, with mode 0600. */
  public static void write(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp =
        Files.createTempFile(
            dir,
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
