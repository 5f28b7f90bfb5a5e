package ogp.reconciler.source;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Where the bare mirror of a remote lives: {@code <dataDir>/git/<name>-<hash>}.
 *
 * <p>Policy: the name is the repository's readable name (so an operator recognizes the directory)
 * and the hash is of the URL without user-info (so two remotes with the same name never share a
 * mirror, and changing only the credentials keeps the mirror).
 */
record MirrorLocation(Path directory, String identity) {

  static MirrorLocation of(GitRemote remote, Path dataDir) {
    String identity = identity(remote.url());
    return new MirrorLocation(
        dataDir.resolve("git").resolve(readableName(identity) + "-" + hash(identity)), identity);
  }

  /** The URL without user-info: the identity of the remote, stored in the mirror's config. */
  static String identity(String url) {
    return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\s@]+@", "$1");
  }

  private static String readableName(String identity) {
    String trimmed = identity.replaceAll("[/\\\\]+$", "");
    String last =
        trimmed.substring(
            Math.max(
                    Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')),
                    trimmed.lastIndexOf(':'))
                + 1);
    if (last.endsWith(".git")) {
      last = last.substring(0, last.length() - 4);
    }
    String safe = last.replaceAll("[^A-Za-z0-9._-]", "_").toLowerCase(Locale.ROOT);
    // A leading dot would hide the directory; an empty name happens for URLs like "file:///".
    safe = safe.replaceAll("^\\.+", "");
    return safe.isEmpty() ? "repo" : safe.substring(0, Math.min(safe.length(), 40));
  }

  private static String hash(String identity) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
