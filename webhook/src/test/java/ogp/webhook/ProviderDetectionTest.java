package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gitea and Forgejo also send GitHub's (and Gogs') headers: the most specific provider wins. */
class ProviderDetectionTest {

  @ParameterizedTest
  @ValueSource(strings = {"/webhooks/gitea", "/webhooks/github"})
  void giteaDeliveryWithGitHubHeadersIsHandledAsGitea(String path) {
    ProviderCase gitea = ProviderCase.GITEA;
    try (WebhookServer server = WebhookServer.start(gitea.followedRepo, "main")) {
      byte[] body = gitea.push();
      assertEquals(
          202, server.post(path, gitea.pushHeaders("d-1", body, Hmac.SECRET), body).statusCode());
      assertEquals(
          List.of("gitea"), server.trigger.calls().stream().map(PushEvent::provider).toList());
      assertEquals(1, server.count("gitea", "accepted"));
      assertEquals(0, server.count("github", "accepted"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/webhooks/gitea", "/webhooks/github"})
  void giteaDeliveryIsVerifiedByItsOwnSignatureNotByGitHubs(String path) {
    ProviderCase gitea = ProviderCase.GITEA;
    try (WebhookServer server = WebhookServer.start(gitea.followedRepo, "main")) {
      byte[] body = gitea.push();
      Map<String, String> headers = gitea.pushHeaders("d-1", body, Hmac.SECRET);
      headers.put(
          "X-Gitea-Signature",
          Hmac.sha256Hex(Hmac.OTHER_SECRET, body)); // GitHub's header stays valid

      assertEquals(401, server.post(path, headers, body).statusCode());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count("gitea", "unauthorized"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/webhooks/gitea", "/webhooks/github"})
  void forgejoDeliveryWithGiteaAndGitHubHeadersIsHandledAndVerifiedAsForgejo(String path) {
    ProviderCase forgejo = ProviderCase.FORGEJO;
    try (WebhookServer server = WebhookServer.start(forgejo.followedRepo, "main")) {
      byte[] body = forgejo.push();
      Map<String, String> forged = forgejo.pushHeaders("d-1", body, Hmac.SECRET);
      forged.put("X-Forgejo-Signature", Hmac.sha256Hex(Hmac.OTHER_SECRET, body));
      assertEquals(401, server.post(path, forged, body).statusCode());

      assertEquals(
          202, server.post(path, forgejo.pushHeaders("d-2", body, Hmac.SECRET), body).statusCode());
      assertEquals(
          List.of("forgejo"), server.trigger.calls().stream().map(PushEvent::provider).toList());
    }
  }

  @Test
  void bitbucketCloudAndServerShareAnEndpointAndAreToldApartByTheirHeaders() {
    try (WebhookServer cloud =
            WebhookServer.start(ProviderCase.BITBUCKET_CLOUD.followedRepo, "main");
        WebhookServer dc =
            WebhookServer.start(ProviderCase.BITBUCKET_SERVER.followedRepo, "main")) {
      for (WebhookServer server : List.of(cloud, dc)) {
        for (ProviderCase c :
            List.of(ProviderCase.BITBUCKET_CLOUD, ProviderCase.BITBUCKET_SERVER)) {
          byte[] body = c.push();
          server.post("/webhooks/bitbucket", c.pushHeaders("d-" + c, body, Hmac.SECRET), body);
        }
      }
      assertEquals(
          List.of("bitbucket-cloud"),
          cloud.trigger.calls().stream().map(PushEvent::provider).toList());
      assertEquals(
          List.of("bitbucket-server"),
          dc.trigger.calls().stream().map(PushEvent::provider).toList());
      assertEquals(1, cloud.count("bitbucket-server", "ignored_repo"));
    }
  }

  @Test
  void deliveryWithoutAnyProviderHeaderIsVerifiedByTheEndpointsOwnScheme() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITHUB.followedRepo, "main")) {
      byte[] body = ProviderCase.GITHUB.push();
      assertEquals(401, server.post("/webhooks/github", Map.of(), body).statusCode());
      assertEquals(1, server.count("github", "unauthorized"));

      var signedWithoutEvent =
          Map.of("X-Hub-Signature-256", "sha256=" + Hmac.sha256Hex(Hmac.SECRET, body));
      var response = server.post("/webhooks/github", signedWithoutEvent, body);
      assertEquals(400, response.statusCode());
      assertEquals("{\"error\":\"missing X-GitHub-Event header\"}", response.body());
    }
  }
}
