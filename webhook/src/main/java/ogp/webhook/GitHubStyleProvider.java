package ogp.webhook;

import java.util.List;

/**
 * GitHub and the hosts whose push payload copies GitHub's ({@code ref}, {@code after}, {@code
 * repository.clone_url/ssh_url/html_url}): Gitea, Forgejo and Gogs, each with its own event,
 * delivery and signature headers. Gitea and Forgejo also send GitHub's headers, so endpoints try
 * them before GitHub: the most specific provider wins and its header is verified.
 */
final class GitHubStyleProvider implements Provider {
  private final String name;
  private final String eventHeader;
  private final String deliveryHeader;
  private final SignatureCheck signature;

  private GitHubStyleProvider(
      String name, String eventHeader, String deliveryHeader, SignatureCheck signature) {
    this.name = name;
    this.eventHeader = eventHeader;
    this.deliveryHeader = deliveryHeader;
    this.signature = signature;
  }

  static GitHubStyleProvider github() {
    return new GitHubStyleProvider(
        "github",
        "X-GitHub-Event",
        "X-GitHub-Delivery",
        new SignatureCheck.HmacSha256("X-Hub-Signature-256", "sha256="));
  }

  static GitHubStyleProvider gitea() {
    return giteaFamily("gitea", "Gitea");
  }

  static GitHubStyleProvider forgejo() {
    return giteaFamily("forgejo", "Forgejo");
  }

  static GitHubStyleProvider gogs() {
    return giteaFamily("gogs", "Gogs");
  }

  /** The Gitea family signs with a bare hex HMAC-SHA256 in {@code X-<Host>-Signature}. */
  private static GitHubStyleProvider giteaFamily(String name, String headerWord) {
    return new GitHubStyleProvider(
        name,
        "X-" + headerWord + "-Event",
        "X-" + headerWord + "-Delivery",
        new SignatureCheck.HmacSha256("X-" + headerWord + "-Signature", ""));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean recognizes(InboundRequest request) {
    return request.has(eventHeader);
  }

  @Override
  public SignatureCheck signature() {
    return signature;
  }

  @Override
  public String deliveryId(InboundRequest request) {
    return request.header(deliveryHeader);
  }

  @Override
  public EventKind kind(InboundRequest request, Payload payload) throws MalformedPayload {
    return switch (Provider.requiredHeader(request, eventHeader)) {
      case "push" -> EventKind.PUSH;
      case "ping" -> EventKind.PING;
      default -> EventKind.OTHER;
    };
  }

  @Override
  public PushedRepository repository(Payload payload) throws MalformedPayload {
    return PushedRepository.of(
        RepositoryUrls.from(
            payload,
            "repository.clone_url",
            "repository.ssh_url",
            "repository.html_url",
            "repository.git_url"));
  }

  @Override
  public List<PushEvent> pushes(Payload payload, PushedRepository repository, String deliveryId)
      throws MalformedPayload {
    return List.of(
        new PushEvent(
            name,
            repository.urls(),
            payload.requiredText("ref"),
            payload.optionalText("after"),
            deliveryId));
  }
}
