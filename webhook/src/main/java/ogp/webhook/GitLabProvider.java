package ogp.webhook;

import java.util.List;

/**
 * GitLab project and system hooks. GitLab sends the secret itself in {@code X-Gitlab-Token}; {@code
 * Idempotency-Key} (GitLab 17.4+) stays the same across retries, so it is the delivery id, with
 * {@code X-Gitlab-Event-UUID} as the fallback for older servers. GitLab has no ping event (its
 * "Test" button sends a real push payload).
 */
final class GitLabProvider implements Provider {
  private static final String EVENT_HEADER = "X-Gitlab-Event";
  private static final SignatureCheck TOKEN = new SignatureCheck.SharedToken("X-Gitlab-Token");

  @Override
  public String name() {
    return "gitlab";
  }

  @Override
  public boolean recognizes(InboundRequest request) {
    return request.has(EVENT_HEADER);
  }

  @Override
  public SignatureCheck signature() {
    return TOKEN;
  }

  @Override
  public String deliveryId(InboundRequest request) {
    String idempotencyKey = request.header("Idempotency-Key");
    return idempotencyKey.isEmpty() ? request.header("X-Gitlab-Event-UUID") : idempotencyKey;
  }

  @Override
  public EventKind kind(InboundRequest request, Payload payload) throws MalformedPayload {
    return switch (Provider.requiredHeader(request, EVENT_HEADER)) {
      case "Push Hook", "Tag Push Hook" -> EventKind.PUSH;
      // System hooks carry every kind of instance event; pushes have the project hook's shape.
      case "System Hook" ->
          isPush(payload.optionalText("object_kind")) || isPush(payload.optionalText("event_name"))
              ? EventKind.PUSH
              : EventKind.OTHER;
      default -> EventKind.OTHER;
    };
  }

  private static boolean isPush(String kind) {
    return kind.equals("push") || kind.equals("tag_push");
  }

  @Override
  public PushedRepository repository(Payload payload) throws MalformedPayload {
    return PushedRepository.of(
        RepositoryUrls.from(
            payload,
            "project.git_http_url",
            "project.git_ssh_url",
            "project.web_url",
            "project.http_url",
            "project.ssh_url",
            "repository.git_http_url",
            "repository.git_ssh_url",
            "repository.url",
            "repository.homepage"));
  }

  @Override
  public List<PushEvent> pushes(Payload payload, PushedRepository repository, String deliveryId)
      throws MalformedPayload {
    String after = payload.optionalText("after");
    return List.of(
        new PushEvent(
            name(),
            repository.urls(),
            payload.requiredText("ref"),
            after.isEmpty() ? payload.optionalText("checkout_sha") : after,
            deliveryId));
  }
}
