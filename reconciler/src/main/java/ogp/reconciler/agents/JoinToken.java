package ogp.reconciler.agents;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shared secret an agent presents in its Hello. The server creates it once, on its first
 * start, in {@code <data-dir>/join-token} (32 random bytes, URL-safe base64, mode 0600) and reads
 * it on later starts; operators copy that file to the agents ({@code --join-token-file}).
 *
 * <p>The file is created with its permission atomically (a 0600 temporary file renamed into
 * place), so the secret is never readable by others, and a crash never leaves a half-written
 * token. Comparison is constant-time. {@link #toString()} never shows the secret.
 */
public final class JoinToken {
  /** The file name inside the data directory. */
  public static final String FILE_NAME = "join-token";

  private static final int RANDOM_BYTES = 32;

  private final byte[] value;

  private JoinToken(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("join token is empty");
    }
    this.value = value.getBytes(StandardCharsets.UTF_8);
  }

  /** A token from its text, e.g. for tests or a token given on the command line. */
  public static JoinToken of(String value) {
    return new JoinToken(value.strip());
  }

  /** Reads {@code <dataDir>/join-token}, creating it with a fresh random token if missing. */
  public static JoinToken loadOrCreate(Path dataDir, SecureRandom random) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      return of(Files.readString(file, StandardCharsets.US_ASCII));
    }
    Files.createDirectories(dataDir);
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path temp =
        Files.createTempFile(
            dataDir,
            ".join-token",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, token + "\n", StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    return of(token);
  }

  /** Constant-time comparison with what an agent presented. */
  public boolean matches(String presented) {
    return MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.UTF_8));
  }

  /** The secret itself, for handing it to an agent (tests, an install script); never log it. */
  public String reveal() {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "JoinToken[redacted]";
  }
}
