package ogp.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the webhook receivers check a delivery against.
 *
 * @param followedRepoUrl the repository the reconciler follows; a local path or {@code file://} URL
 *     skips the repository check (development setups), see {@link RepoUrl}
 * @param followedBranch the followed branch, {@code main} or {@code refs/heads/main}
 * @param secrets every secret currently accepted (more than one while rotating)
 * @param maxBodyBytes larger bodies are refused with 413
 */
public record WebhookSettings(
    String followedRepoUrl, String followedBranch, List<byte[]> secrets, int maxBodyBytes) {
  /** 1 MiB: far above any push payload worth reading (GitHub caps its own at 25 MB of commits). */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  public WebhookSettings {
    Objects.requireNonNull(followedRepoUrl, "followedRepoUrl");
    if (followedBranch == null || followedBranch.isBlank()) {
      throw new IllegalArgumentException(
          "followed branch must not be blank: '" + followedBranch + "'");
    }
    if (secrets == null
        || secrets.isEmpty()
        || secrets.stream().anyMatch(s -> s == null || s.length == 0)) {
      throw new IllegalArgumentException("at least one non-empty webhook secret is required");
    }
    secrets = secrets.stream().map(byte[]::clone).toList();
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
    }
  }

  /** Settings with the default body cap. */
  public static WebhookSettings of(
      String followedRepoUrl, String followedBranch, List<byte[]> secrets) {
    return new WebhookSettings(followedRepoUrl, followedBranch, secrets, DEFAULT_MAX_BODY_BYTES);
  }

  /** The full ref of the followed branch, e.g. {@code refs/heads/main}. */
  public String followedRef() {
    return followedBranch.startsWith("refs/") ? followedBranch : "refs/heads/" + followedBranch;
  }

  /**
   * Reads a secret file: one secret per non-blank line, surrounding whitespace removed, so a new
   * secret can be added on its own line while the providers are switched over to it.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no secret
   */
  public static List<byte[]> readSecretFile(Path file) throws IOException {
    List<byte[]> secrets =
        Files.readAllLines(file, StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty())
            .map(line -> line.getBytes(StandardCharsets.UTF_8))
            .toList();
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("webhook secret file " + file + " holds no secret");
    }
    return secrets;
  }
}
