package ogp.reconciler.source;

import java.util.Objects;

/**
 * Where and how to reach the followed repository.
 *
 * @param url any URL JGit understands: {@code file://}, a local path (working tree or bare; a
 *     relative one is made absolute against the working directory), {@code https://}, {@code
 *     ssh://} or scp-like {@code git@host:org/repo.git}
 * @param branch the followed branch, a short name such as {@code main}
 * @param path subdirectory of the repository holding the desired state ({@code ""} = root),
 *     relative (absolute paths and {@code ..} are refused), normalized to have no trailing slash
 * @param credentials how to authenticate; never printed
 */
public record GitRemote(String url, String branch, String path, GitCredentials credentials) {

  public GitRemote {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("Git remote URL is empty");
    }
    if (branch == null || branch.isBlank() || branch.startsWith("refs/") || branch.contains("..")) {
      throw new IllegalArgumentException(
          "Git branch must be a short branch name such as main, got: " + branch);
    }
    url = absoluteIfLocalPath(url.strip());
    path = normalizePath(path);
    credentials = Objects.requireNonNullElseGet(credentials, GitCredentials::none);
  }

  /** A remote without credentials, for public or local repositories. */
  public static GitRemote of(String url, String branch, String path) {
    return new GitRemote(url, branch, path, GitCredentials.none());
  }

  /** The full name of the followed branch, {@code refs/heads/<branch>}. */
  public String branchRef() {
    return "refs/heads/" + branch;
  }

  /** The URL with any user-info masked, for logs and messages. */
  public String redactedUrl() {
    return Redaction.redact(url);
  }

  @Override
  public String toString() {
    return "GitRemote[url="
        + redactedUrl()
        + ", branch="
        + branch
        + ", path="
        + path
        + ", credentials="
        + credentials.getClass().getSimpleName()
        + "]";
  }

  /**
   * A relative local path ({@code .}, {@code .ogp/dev-repo}, {@code ../fleet}) made absolute
   * against the working directory, as a user means it; JGit would read it relative to the mirror
   * instead. URLs ({@code scheme://}) and scp-like addresses ({@code host:path}) are left as they
   * are.
   */
  private static String absoluteIfLocalPath(String url) {
    boolean scpLike = url.matches("^[^/\\\\]+:.*") && !url.matches("^[A-Za-z]:[/\\\\].*");
    if (url.contains("://") || scpLike) return url;
    try {
      java.nio.file.Path local = java.nio.file.Path.of(url);
      return local.isAbsolute() ? url : local.toAbsolutePath().normalize().toString();
    } catch (java.nio.file.InvalidPathException e) {
      return url; // not a path of this system: JGit says what is wrong with it
    }
  }

  private static String normalizePath(String path) {
    if (path == null) {
      return "";
    }
    String p = path.strip().replace('\\', '/');
    // An absolute path names a place on some disk, never inside the repository: refuse it rather
    // than guess that the repository root was meant.
    if (p.startsWith("/") || p.matches("^[A-Za-z]:.*")) {
      throw new IllegalArgumentException(
          "Desired-state path must be relative to the repository root, got: " + path);
    }
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    p = p.replaceAll("/+$", "");
    if (p.equals(".")) {
      return "";
    }
    for (String segment : p.split("/")) {
      if (segment.equals("..") || (!p.isEmpty() && segment.isEmpty())) {
        throw new IllegalArgumentException(
            "Desired-state path must be a plain subdirectory of the repository, got: " + path);
      }
    }
    return p;
  }
}
