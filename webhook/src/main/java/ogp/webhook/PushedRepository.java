package ogp.webhook;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The repository a push payload names, and whether that is the followed one.
 *
 * <p>Policy: it is the followed repository when one of its URLs is ({@link
 * RepoUrl#sameRepository}), or, for Bitbucket Server / Data Center, when the followed URL names its
 * project key and slug ({@link BitbucketServerRepository}) and is on the host of one of the
 * payload's URLs — any host when the payload names none, as Atlassian's documented payload does
 * (the delivery is signed with our secret, so its sender is ours).
 *
 * @param urls the clone, web and SSH URLs the payload names (possibly none, see above)
 * @param projectRepository the Bitbucket Server project key and slug, when the payload has them
 */
record PushedRepository(Set<String> urls, Optional<BitbucketServerRepository> projectRepository) {
  PushedRepository {
    urls = Set.copyOf(urls);
  }

  static PushedRepository of(Set<String> urls) {
    return new PushedRepository(urls, Optional.empty());
  }

  boolean isNamedBy(String followedUrl) {
    if (urls.stream().anyMatch(url -> RepoUrl.sameRepository(url, followedUrl))) {
      return true;
    }
    return projectRepository.isPresent()
        && projectRepository.get().isNamedBy(followedUrl)
        && onAHostOfTheUrls(followedUrl);
  }

  private boolean onAHostOfTheUrls(String followedUrl) {
    Set<String> hosts =
        urls.stream().flatMap(url -> RepoUrl.host(url).stream()).collect(Collectors.toSet());
    return hosts.isEmpty() || RepoUrl.host(followedUrl).map(hosts::contains).orElse(false);
  }

  /** For logs: every name the payload gave, each escaped and bounded by {@link LogText}. */
  String describe() {
    StringBuilder out = new StringBuilder();
    urls.stream()
        .limit(MAX_URLS_LOGGED)
        .forEach(url -> out.append(out.isEmpty() ? "" : ", ").append(LogText.quote(url)));
    if (urls.size() > MAX_URLS_LOGGED) {
      out.append(", … (").append(urls.size()).append(" URLs)");
    }
    projectRepository.ifPresent(
        r ->
            out.append(out.isEmpty() ? "" : ", ")
                .append("project ")
                .append(LogText.quote(r.projectKey()))
                .append(" repository ")
                .append(LogText.quote(r.slug())));
    return out.toString();
  }

  /** A Bitbucket Server payload may list any number of links; a log line names a few. */
  private static final int MAX_URLS_LOGGED = 4;
}
