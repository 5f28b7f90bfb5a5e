package ogp.webhook;

import java.util.List;
import java.util.Set;

/**
 * For CI systems and scripts (Jenkins after a push): {@code X-Signature: sha256=<hex>} HMAC of the
 * raw body, optional {@code X-Delivery-Id}, and the body {@code {"repository": url, "ref":
 * "refs/heads/main", "after": sha}}. A bare branch name in {@code ref} is read as {@code
 * refs/heads/<name>}.
 */
final class GenericProvider implements Provider {
  private static final SignatureCheck SIGNATURE =
      new SignatureCheck.HmacSha256("X-Signature", "sha256=");

  @Override
  public String name() {
    return "generic";
  }

  @Override
  public boolean recognizes(InboundRequest request) {
    return true;
  }

  @Override
  public SignatureCheck signature() {
    return SIGNATURE;
  }

  @Override
  public String deliveryId(InboundRequest request) {
    return request.header("X-Delivery-Id");
  }

  @Override
  public EventKind kind(InboundRequest request, Payload payload) {
    return EventKind.PUSH;
  }

  @Override
  public PushedRepository repository(Payload payload) throws MalformedPayload {
    return PushedRepository.of(Set.of(payload.requiredText("repository")));
  }

  @Override
  public List<PushEvent> pushes(Payload payload, PushedRepository repository, String deliveryId)
      throws MalformedPayload {
    String ref = payload.requiredText("ref");
    return List.of(
        new PushEvent(
            name(),
            repository.urls(),
            ref.startsWith("refs/") ? ref : "refs/heads/" + ref,
            payload.optionalText("after"),
            deliveryId));
  }
}
