package ogp.webhook;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Bitbucket Cloud ({@code X-Event-Key: repo:push}). Recognized by {@code X-Hook-UUID}, which
 * Bitbucket Server does not send. {@code X-Hook-UUID} names the hook, not the delivery, so the
 * delivery id is {@code X-Request-UUID}. A push lists its ref changes in {@code push.changes[]};
 * the repository is named by its web link and {@code full_name}.
 */
final class BitbucketCloudProvider implements Provider {
  static final String EVENT_HEADER = "X-Event-Key";

  /** Both Bitbucket products sign the same way. */
  static final SignatureCheck SIGNATURE =
      new SignatureCheck.HmacSha256("X-Hub-Signature", "sha256=");

  @Override
  public String name() {
    return "bitbucket-cloud";
  }

  @Override
  public boolean recognizes(InboundRequest request) {
    return request.has("X-Hook-UUID");
  }

  @Override
  public SignatureCheck signature() {
    return SIGNATURE;
  }

  @Override
  public String deliveryId(InboundRequest request) {
    return request.header("X-Request-UUID");
  }

  @Override
  public EventKind kind(InboundRequest request, Payload payload) throws MalformedPayload {
    return Provider.requiredHeader(request, EVENT_HEADER).equals("repo:push")
        ? EventKind.PUSH
        : EventKind.OTHER;
  }

  @Override
  public PushedRepository repository(Payload payload) throws MalformedPayload {
    Set<String> urls = new LinkedHashSet<>();
    String webLink = payload.optionalText("repository.links.html.href");
    if (!webLink.isEmpty()) {
      urls.add(webLink);
    }
    String fullName = payload.optionalText("repository.full_name");
    if (!fullName.isEmpty()) {
      urls.add("https://bitbucket.org/" + fullName);
      urls.add("git@bitbucket.org:" + fullName + ".git");
    }
    return PushedRepository.of(
        RepositoryUrls.requireSome(urls, "repository.links.html.href, repository.full_name"));
  }

  @Override
  public List<PushEvent> pushes(Payload payload, PushedRepository repository, String deliveryId)
      throws MalformedPayload {
    List<PushEvent> pushes = new ArrayList<>();
    for (Payload change : payload.requiredArray("push.changes")) {
      // A deleted ref has "new": null; its name is then only in "old".
      String side = change.isObject("new") ? "new" : "old";
      String ref =
          fullRef(change.optionalText(side + ".type"), change.optionalText(side + ".name"));
      if (!ref.isEmpty()) {
        pushes.add(
            new PushEvent(
                name(),
                repository.urls(),
                ref,
                change.optionalText("new.target.hash"),
                deliveryId));
      }
    }
    return pushes;
  }

  private static String fullRef(String type, String name) {
    if (name.isEmpty()) {
      return "";
    }
    return switch (type) {
      case "branch", "named_branch" -> "refs/heads/" + name;
      case "tag", "annotated_tag" -> "refs/tags/" + name;
      default -> "";
    };
  }
}
