package ogp.reconciler.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the reconciler proves its identity to the Git server.
 *
 * <p>Policy: secrets never show in {@code toString()}, and the only way to get at them is the
 * accessor, which only the transport code calls.
 */
public sealed interface GitCredentials {

  /**
   * Username used with a password file or token when {@code OGP_GIT_USERNAME} is not set;
   * token-based servers ignore it.
   */
  String DEFAULT_TOKEN_USER = "git";

  /** No credentials: public repositories, {@code file://} and local paths. */
  record None() implements GitCredentials {}

  /** HTTP(S) basic credentials; a personal access token goes in {@code password}. */
  record UsernamePassword(String username, String password) implements GitCredentials {
    public UsernamePassword {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "UsernamePassword[username=" + username + ", password=***]";
    }
  }

  /**
   * An SSH private key (without passphrase) for {@code ssh://} and scp-like URLs. {@code
   * knownHosts} empty means {@code ~/.ssh/known_hosts}; unknown host keys are refused.
   */
  record SshKey(Path keyFile, Optional<Path> knownHosts) implements GitCredentials {
    public SshKey {
      Objects.requireNonNull(keyFile, "keyFile");
      Objects.requireNonNull(knownHosts, "knownHosts");
    }
  }

  static GitCredentials none() {
    return new None();
  }

  /** The secret strings these credentials hold, so error messages can be scrubbed of them. */
  default List<String> secrets() {
    return this instanceof UsernamePassword up ? List.of(up.password()) : List.of();
  }

  /**
   * Reads {@code OGP_GIT_SSH_KEY} (+ optional {@code OGP_GIT_KNOWN_HOSTS}), or {@code
   * OGP_GIT_PASSWORD} / {@code OGP_GIT_PASSWORD_FILE} (+ optional {@code OGP_GIT_USERNAME}); none
   * of them gives {@link None}.
   *
   * @throws GitSourceException when the settings contradict each other or the password file is
   *     unreadable
   */
  static GitCredentials fromEnvironment(Map<String, String> env) {
    String sshKey = nonBlank(env.get("OGP_GIT_SSH_KEY"));
    String password = env.get("OGP_GIT_PASSWORD");
    String passwordFile = nonBlank(env.get("OGP_GIT_PASSWORD_FILE"));
    String username = nonBlank(env.get("OGP_GIT_USERNAME"));
    boolean hasPassword = password != null && !password.isEmpty();
    if (hasPassword && passwordFile != null) {
      throw new GitSourceException("Set only one of OGP_GIT_PASSWORD and OGP_GIT_PASSWORD_FILE.");
    }
    if (sshKey != null && (hasPassword || passwordFile != null)) {
      throw new GitSourceException("Set either OGP_GIT_SSH_KEY or a Git password, not both.");
    }
    if (sshKey != null) {
      return new SshKey(
          Path.of(sshKey),
          Optional.ofNullable(nonBlank(env.get("OGP_GIT_KNOWN_HOSTS"))).map(Path::of));
    }
    if (passwordFile != null) {
      password = readPasswordFile(Path.of(passwordFile));
      hasPassword = true;
    }
    if (hasPassword) {
      return new UsernamePassword(username == null ? DEFAULT_TOKEN_USER : username, password);
    }
    if (username != null) {
      throw new GitSourceException(
          "OGP_GIT_USERNAME is set but neither OGP_GIT_PASSWORD nor OGP_GIT_PASSWORD_FILE is.");
    }
    return new None();
  }

  private static String readPasswordFile(Path file) {
    try {
      // A trailing newline is what editors and `echo` add, never part of the token.
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      // The exception text names only the file, which is not secret.
      throw new GitSourceException(
          "Cannot read the Git password file " + file + ": " + e.getClass().getSimpleName() + ".",
          e);
    }
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
