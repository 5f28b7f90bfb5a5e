package ogp.webhook;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Bitbucket Server and Data Center ({@code X-Event-Key: repo:refs_changed}, and {@code
 * diagnostics:ping} from the "Test connection" button). Delivery id {@code X-Request-Id}. A push
 * lists {@code changes[]} with {@code ref.id} and {@code toHash}; the repository is named by its
 * clone links ({@code repository.links.clone[].href}, SSH and HTTP).
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
  public List<PushEvent> pushes(Payload payload, String deliveryId) throws MalformedPayload {
    Set<String> urls = new LinkedHashSet<>();
    for (Payload link : payload.optionalArray("repository.links.clone")) {
      String href = link.optionalText("href");
      if (!href.isEmpty()) {
        urls.add(href);
      }
    }
    RepositoryUrls.requireSome(urls, "repository.links.clone[].href");
    List<PushEvent> pushes = new ArrayList<>();
    for (Payload change : payload.requiredArray("changes")) {
      String ref = change.optionalText("ref.id");
      if (ref.isEmpty()) {
        ref = change.optionalText("refId");
      }
      if (!ref.isEmpty()) {
        pushes.add(new PushEvent(name(), urls, ref, change.optionalText("toHash"), deliveryId));
      }
    }
    return pushes;
  }
}
