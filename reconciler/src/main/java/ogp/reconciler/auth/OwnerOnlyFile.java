package ogp.reconciler.auth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a secret (a token, a private key) to a file only its owner can read: the server's name for
 * {@link ogp.protocol.OwnerOnlyFile}, which the agent shares (its host key).
 */
public final class OwnerOnlyFile {
  private OwnerOnlyFile() {}

  /** Writes {@code content} (UTF-8) to {@code file}, replacing it, with mode 0600. */
  public static void write(Path file, String content) throws IOException {
    ogp.protocol.OwnerOnlyFile.write(file, content);
  }
}
