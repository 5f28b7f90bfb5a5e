package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pings, tags and events that are not pushes. */
class EventKindsTest {

  @Test
  void gitHubPingIsAnsweredWith200AndTriggersNothing() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITHUB.followedRepo, "main")) {
      byte[] body = Fixtures.payload("github/ping.json");
      Map<String, String> headers = ProviderCase.GITHUB.pushHeaders("d-ping", body, Hmac.SECRET);
      headers.put("X-GitHub-Event", "ping");

      HttpResponse<String> response = server.post("/webhooks/github", headers, body);

      assertEquals(200, response.statusCode());
      assertEquals("{\"status\":\"ping\"}", response.body());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count("github", "ping"));
    }
  }

  @Test
  void unsignedGitHubPingIsUnauthorized() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITHUB.followedRepo, "main")) {
      byte[] body = Fixtures.payload("github/ping.json");
      assertEquals(
          401,
          server.post("/webhooks/github", Map.of("X-GitHub-Event", "ping"), body).statusCode());
    }
  }

  @Test
  void bitbucketServerTestConnectionPingIsAnsweredWith200() {
    try (WebhookServer server =
        WebhookServer.start(ProviderCase.BITBUCKET_SERVER.followedRepo, "main")) {
      byte[] body = Fixtures.payload("bitbucket-server/ping.json");
      Map<String, String> headers =
          ProviderCase.BITBUCKET_SERVER.pushHeaders("d-ping", body, Hmac.SECRET);
      headers.put("X-Event-Key", "diagnostics:ping");

      assertEquals(200, server.post("/webhooks/bitbucket", headers, body).statusCode());
      assertEquals(1, server.count("bitbucket-server", "ping"));
    }
  }

  @Test
  void tagPushIsIgnoredAsNotTheFollowedBranch() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITHUB.followedRepo, "main")) {
      byte[] body = Fixtures.payload("github/push-tag.json");
      HttpResponse<String> response =
          server.post(
              "/webhooks/github",
              ProviderCase.GITHUB.pushHeaders("d-tag", body, Hmac.SECRET),
              body);

      assertEquals(202, response.statusCode());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count("github", "ignored_branch"));
    }
  }

  @Test
  void eventThatIsNotAPushIsIgnored() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITHUB.followedRepo, "main")) {
      byte[] body =
          "{\"action\":\"opened\",\"issue\":{\"number\":1}}".getBytes(StandardCharsets.UTF_8);
      Map<String, String> headers = ProviderCase.GITHUB.pushHeaders("d-issue", body, Hmac.SECRET);
      headers.put("X-GitHub-Event", "issues");

      HttpResponse<String> response = server.post("/webhooks/github", headers, body);

      assertEquals(202, response.statusCode());
      assertEquals(
          "{\"status\":\"ignored_event\",\"reason\":\"not a push event\"}", response.body());
      assertEquals(1, server.count("github", "ignored_event"));
    }
  }

  @Test
  void gitLabSystemHookPushIsAcceptedLikeAProjectPush() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITLAB.followedRepo, "main")) {
      byte[] body = ProviderCase.GITLAB.push();
      Map<String, String> headers = ProviderCase.GITLAB.pushHeaders("d-sys", body, Hmac.SECRET);
      headers.put("X-Gitlab-Event", "System Hook");

      assertEquals(202, server.post("/webhooks/gitlab", headers, body).statusCode());
      assertEquals(1, server.trigger.calls().size());
    }
  }

  @Test
  void gitLabDeliveryIdFallsBackToTheEventUuidOnServersWithoutIdempotencyKey() {
    try (WebhookServer server = WebhookServer.start(ProviderCase.GITLAB.followedRepo, "main")) {
      byte[] body = ProviderCase.GITLAB.push();
      Map<String, String> headers = ProviderCase.GITLAB.pushHeaders("d-1", body, Hmac.SECRET);
      headers.remove("Idempotency-Key");

      server.post("/webhooks/gitlab", headers, body);
      server.post("/webhooks/gitlab", headers, body);

      assertEquals(
          List.of("event-d-1"),
          server.trigger.calls().stream().map(PushEvent::deliveryId).toList());
    }
  }

  @Test
  void bitbucketCloudPushOfSeveralRefsTriggersForTheFollowedBranch() {
    String body =
        new String(ProviderCase.BITBUCKET_CLOUD.push(), StandardCharsets.UTF_8)
            .replace(
                "\"changes\": [",
                "\"changes\": [{\"old\": null, \"new\": {\"name\": \"v42\", \"type\": \"tag\","
                    + " \"target\": {\"hash\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}},");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (WebhookServer server =
        WebhookServer.start(ProviderCase.BITBUCKET_CLOUD.followedRepo, "main")) {
      server.post(
          "/webhooks/bitbucket",
          ProviderCase.BITBUCKET_CLOUD.pushHeaders("d-1", bytes, Hmac.SECRET),
          bytes);

      assertEquals(
          List.of(ProviderCase.BITBUCKET_CLOUD.after),
          server.trigger.calls().stream().map(PushEvent::after).toList());
    }
  }
}
