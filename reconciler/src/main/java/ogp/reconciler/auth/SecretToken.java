package ogp.reconciler.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import ogp.protocol.files.OwnerOnlyFile;

/**
 * A secret in one file: the webhook secret of the data dir (which must stay plaintext, since it
 * keys an HMAC), and the hand-over copies of the join and admin tokens that a first start writes
 * for the operator ({@code <data-dir>/join-token}, {@code admin-token}, {@code viewer-token}); the
 * server checks those tokens against {@link TokenStore}'s hashes, never these files. Created with
 * 32 random bytes, URL-safe base64, mode 0600.
 *
 * <p>The file is created with its permission atomically (a 0600 temporary file renamed into place),
 * so the secret is never readable by others, and a crash never leaves a half-written token.
 * Comparison is constant-time. {@link #toString()} never shows the secret.
 */
public final class SecretToken {
  /** The join token's file name inside the server's data directory. */
  public static final String JOIN_TOKEN_FILE = "join-token";

  /** The admin token's file name inside the server's data directory. */
  public static final String ADMIN_TOKEN_FILE = "admin-token";

  /** The read-only API token's file name inside the server's data directory. */
  public static final String VIEWER_TOKEN_FILE = "viewer-token";

  private static final int RANDOM_BYTES = 32;

  private final byte[] value;

  private SecretToken(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("the token is empty");
    }
    this.value = value.getBytes(StandardCharsets.UTF_8);
  }

  /** A token from its text, e.g. for tests or a token given on the command line. */
  public static SecretToken of(String value) {
    return new SecretToken(value.strip());
  }

  /**
   * The token in a file the operator gave with {@code option}; an unreadable or empty file is an
   * error naming the file and the option.
   */
  public static SecretToken read(Path file, String option) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException("cannot read " + option + " " + file + ": " + e.getMessage(), e);
    }
    if (text.isBlank()) throw new IOException(option + " " + file + " is empty");
    return of(text);
  }

  /**
   * Reads the token file, creating it with a fresh random token if missing. An empty file is an
   * error naming it and the way out, not a silent new secret: whoever shares it (a webhook) would
   * be refused.
   */
  public static SecretToken loadOrCreate(Path file, SecureRandom random) throws IOException {
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.US_ASCII);
      if (text.isBlank())
        throw new IOException(
            file
                + " is empty: put the secret back, or delete the file to have a new one"
                + " generated (and give it to everyone who uses it)");
      return of(text);
    }
    String token = generate(random);
    OwnerOnlyFile.write(file, token + "\n");
    return of(token);
  }

  /**
   * A fresh token: 32 random bytes (256 bits), URL-safe base64 without padding, never starting with
   * {@code -}: such a token (one in 64) would read as an option in {@code --token TOKEN}.
   */
  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    String token;
    do {
      random.nextBytes(bytes);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (token.startsWith("-"));
    return token;
  }

  /** Constant-time comparison with what a client presented. */
  public boolean matches(String presented) {
    if (presented == null) return false;
    return MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.UTF_8));
  }

  /** The secret itself, for handing it to an agent or a user (tests, `ogp dev`); never log it. */
  public String reveal() {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SecretToken[redacted]";
  }
}
