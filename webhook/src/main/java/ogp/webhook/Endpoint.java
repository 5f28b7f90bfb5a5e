package ogp.webhook;

import java.util.List;

/**
 * One webhook URL and the providers that may post to it, most specific first: the first that
 * recognizes a delivery's headers handles it, otherwise the fallback does (so that a delivery
 * without any provider header is still verified, and refused, by the endpoint's own scheme).
 */
record Endpoint(String path, List<Provider> candidates, Provider fallback) {
  Endpoint {
    candidates = List.copyOf(candidates);
  }

  Provider providerFor(InboundRequest request) {
    return candidates.stream().filter(p -> p.recognizes(request)).findFirst().orElse(fallback);
  }

  /** Every endpoint OGP serves. Gitea and Forgejo also send GitHub's headers: they come first. */
  static List<Endpoint> all() {
    Provider github = GitHubStyleProvider.github();
    Provider gitea = GitHubStyleProvider.gitea();
    Provider forgejo = GitHubStyleProvider.forgejo();
    Provider gogs = GitHubStyleProvider.gogs();
    Provider gitlab = new GitLabProvider();
    Provider bitbucketCloud = new BitbucketCloudProvider();
    Provider bitbucketServer = new BitbucketServerProvider();
    Provider generic = new GenericProvider();
    return List.of(
        new Endpoint("/webhooks/github", List.of(forgejo, gitea, gogs, github), github),
        new Endpoint("/webhooks/gitlab", List.of(gitlab), gitlab),
        new Endpoint("/webhooks/gitea", List.of(forgejo, gitea, gogs), gitea),
        new Endpoint(
            "/webhooks/bitbucket", List.of(bitbucketCloud, bitbucketServer), bitbucketCloud),
        new Endpoint("/webhooks/generic", List.of(generic), generic));
  }
}
