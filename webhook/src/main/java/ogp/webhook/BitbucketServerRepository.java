package ogp.webhook;

import java.util.Arrays;
import java.util.List;

/**
 * A Bitbucket Server / Data Center repository as its push payload names it: {@code
 * repository.project.key} and {@code repository.slug} (the documented payload has no URL).
 *
 * <p>Policy: a URL names it when its path, after the host, is one of the forms Bitbucket serves:
 * the HTTP clone URL {@code [/context]/scm/KEY/slug[.git]} or the same without {@code /scm/}
 * ({@code /KEY/slug}, which is also the SSH form {@code ssh://git@host:7999/KEY/slug.git}), or the
 * web URL {@code [/context]/projects/KEY/repos/slug[/browse]}. A personal repository has the key
 * {@code ~USER}: {@code /scm/~user/slug.git}, {@code /~user/slug.git} or {@code
 * /users/user/repos/slug}. Project keys compare case-insensitively (Bitbucket's clone URLs
 * lower-case them, its web URLs do not); slugs compare exactly. The host is not compared here: the
 * payload does not name it.
 */
record BitbucketServerRepository(String projectKey, String slug) {

  /** True if the URL's path names this project's repository, in any of the forms above. */
  boolean isNamedBy(String url) {
    return RepoUrl.path(url).map(path -> pathNames(segments(path))).orElse(false);
  }

  private boolean pathNames(List<String> s) {
    int n = s.size();
    if (n == 2) {
      return isKey(s.get(0)) && isSlug(s.get(1));
    }
    if (n >= 3 && s.get(n - 3).equals("scm")) {
      return isKey(s.get(n - 2)) && isSlug(s.get(n - 1));
    }
    if (n >= 4 && s.get(n - 2).equals("repos")) {
      String owner = s.get(n - 3);
      return switch (s.get(n - 4)) {
        case "projects" -> isKey(owner) && isSlug(s.get(n - 1));
        case "users" -> isKey("~" + owner) && isSlug(s.get(n - 1));
        default -> false;
      };
    }
    return false;
  }

  /** The path's segments without a trailing {@code /browse} of a web URL. */
  private static List<String> segments(String path) {
    List<String> s = Arrays.asList(path.split("/"));
    int n = s.size();
    boolean webBrowse = n >= 5 && s.get(n - 1).equals("browse") && s.get(n - 3).equals("repos");
    return webBrowse ? s.subList(0, n - 1) : s;
  }

  private boolean isKey(String segment) {
    return segment.equalsIgnoreCase(projectKey);
  }

  private boolean isSlug(String segment) {
    return segment.equals(slug);
  }
}
