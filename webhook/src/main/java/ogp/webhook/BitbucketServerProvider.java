package ogp.webhook;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Bitbucket Server and Data Center ({@code X-Event-Key: repo:refs_changed}, and {@code
 * diagnostics:ping} from the "Test connection" button). Delivery id {@code X-Request-Id}; signed
 * like Bitbucket Cloud ({@code X-Hub-Signature: sha256=<hex>}). A push lists {@code changes[]} with
 * {@code ref.id} (or {@code refId}) and {@code toHash}.
 *
 * <p>The repository is named by {@code repository.project.key} and {@code repository.slug}, which
 * every push has (Atlassian's documented payload has nothing else), and by the clone and web links
 * ({@code repository.links.clone[].href}, {@code repository.links.self[].href}) when the server
 * sends them; {@link PushedRepository} decides whether that is the followed repository.
 */
final class BitbucketServerProvider implements Provider {

  @Override
  public String name() {
    return "bitbucket-server";
  }

  @Override
  public boolean recognizes(InboundRequest request) {
    return request.has("X-Request-Id");
  }

  @Override
  public SignatureCheck signature() {
    return BitbucketCloudProvider.SIGNATURE;
  }

  @Override
  public String deliveryId(InboundRequest request) {
    return request.header("X-Request-Id");
  }

  @Override
  public EventKind kind(InboundRequest request, Payload payload) throws MalformedPayload {
    return switch (Provider.requiredHeader(request, BitbucketCloudProvider.EVENT_HEADER)) {
      case "repo:refs_changed" -> EventKind.PUSH;
      case "diagnostics:ping" -> EventKind.PING;
      default -> EventKind.OTHER;
    };
  }

  @Override
  public PushedRepository repository(Payload payload) throws MalformedPayload {
    Set<String> urls = new LinkedHashSet<>();
    for (String links : List.of("repository.links.clone", "repository.links.self")) {
      for (Payload link : payload.optionalArray(links)) {
        String href = link.optionalText("href");
        if (!href.isEmpty()) {
          urls.add(href);
        }
      }
    }
    String key = payload.optionalText("repository.project.key");
    String slug = payload.optionalText("repository.slug");
    Optional<BitbucketServerRepository> projectRepository =
        key.isEmpty() || slug.isEmpty()
            ? Optional.empty()
            : Optional.of(new BitbucketServerRepository(key, slug));
    if (projectRepository.isEmpty()) {
      RepositoryUrls.requireSome(
          urls,
          "repository.project.key with repository.slug, repository.links.clone[].href,"
              + " repository.links.self[].href");
    }
    return new PushedRepository(urls, projectRepository);
  }

  @Override
  public List<PushEvent> pushes(Payload payload, PushedRepository repository, String deliveryId)
      throws MalformedPayload {
    List<PushEvent> pushes = new ArrayList<>();
    for (Payload change : payload.requiredArray("changes")) {
      String ref = change.optionalText("ref.id");
      if (ref.isEmpty()) {
        ref = change.optionalText("refId");
      }
      if (!ref.isEmpty()) {
        pushes.add(
            new PushEvent(
                name(), repository.urls(), ref, change.optionalText("toHash"), deliveryId));
      }
    }
    return pushes;
  }
}
