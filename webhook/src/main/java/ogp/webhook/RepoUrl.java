package ogp.webhook;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether two Git URLs name the same repository, the way a user would expect.
 *
 * <p>Policy: {@code https://}, {@code http://}, {@code ssh://}, {@code git://} and scp-like {@code
 * git@host:org/repo} forms are equal when their host and path are; user info and ports are ignored
 * (SSH and HTTPS ports of one server differ); a trailing slash and a {@code .git} suffix are
 * ignored; host names compare case-insensitively, paths case-sensitively, except on github.com,
 * gitlab.com, bitbucket.org and codeberg.org, which resolve repository paths case-insensitively.
 * Local paths and {@code file://} URLs are {@link #isLocal local}: they match nothing, and {@link
 * WebhookRoutes} skips the repository check for a local followed repository.
 */
public final class RepoUrl {
  private static final Set<String> CASE_INSENSITIVE_HOSTS =
      Set.of("github.com", "gitlab.com", "bitbucket.org", "codeberg.org");
  private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:[\\\\/].*");

  private record Location(String host, String path) {}

  private RepoUrl() {}

  /** True if both URLs name the same remote repository; local paths never match. */
  public static boolean sameRepository(String a, String b) {
    Optional<Location> left = locate(a);
    Optional<Location> right = locate(b);
    if (left.isEmpty() || right.isEmpty() || !left.get().host().equals(right.get().host())) {
      return false;
    }
    String pathA = left.get().path();
    String pathB = right.get().path();
    return CASE_INSENSITIVE_HOSTS.contains(left.get().host())
        ? pathA.equalsIgnoreCase(pathB)
        : pathA.equals(pathB);
  }

  /** The host of a remote URL, lower-cased, without user info and port; empty for a local one. */
  static Optional<String> host(String url) {
    return locate(url).map(Location::host);
  }

  /**
   * The repository path of a remote URL without leading and trailing slashes and {@code .git}
   * suffix, as written (case kept); empty for a local one.
   */
  static Optional<String> path(String url) {
    return locate(url).map(Location::path);
  }

  /** True for a {@code file://} URL or a local path (anything that is neither URL nor scp-like). */
  public static boolean isLocal(String url) {
    String s = url.strip();
    if (s.regionMatches(true, 0, "file:", 0, 5) || WINDOWS_DRIVE.matcher(s).matches()) {
      return true;
    }
    if (s.contains("://")) {
      return false;
    }
    // Git's own rule: scp-like syntax has a colon before the first slash.
    int colon = s.indexOf(':');
    int slash = s.indexOf('/');
    return colon <= 0 || (slash >= 0 && slash < colon);
  }

  private static Optional<Location> locate(String url) {
    if (url == null || url.isBlank() || isLocal(url)) {
      return Optional.empty();
    }
    String s = url.strip();
    String authority;
    String path;
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      String rest = s.substring(scheme + 3);
      int slash = rest.indexOf('/');
      authority = slash < 0 ? rest : rest.substring(0, slash);
      path = slash < 0 ? "" : rest.substring(slash);
      authority = withoutPort(withoutUserInfo(authority));
    } else {
      int colon = s.indexOf(':');
      authority = withoutUserInfo(s.substring(0, colon));
      path = s.substring(colon + 1);
    }
    String host = authority.toLowerCase(Locale.ROOT);
    String normalPath = normalPath(path);
    if (host.isEmpty() || normalPath.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Location(host, normalPath));
  }

  private static String withoutUserInfo(String authority) {
    return authority.substring(authority.lastIndexOf('@') + 1);
  }

  private static String withoutPort(String hostAndPort) {
    if (hostAndPort.startsWith("[")) { // IPv6 literal
      int close = hostAndPort.indexOf(']');
      return close < 0 ? hostAndPort : hostAndPort.substring(0, close + 1);
    }
    int colon = hostAndPort.indexOf(':');
    return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
  }

  private static String normalPath(String path) {
    String p = trimSlashes(path);
    if (p.endsWith(".git")) {
      p = trimSlashes(p.substring(0, p.length() - 4));
    }
    return p;
  }

  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }
}
