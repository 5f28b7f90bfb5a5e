package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Secrets, size caps, trigger failures and local repositories, across providers. */
class WebhookPolicyTest {
  private static final ProviderCase GITHUB = ProviderCase.GITHUB;

  @Test
  void everyConfiguredSecretIsAcceptedWhileRotating() {
    byte[] newSecret = "the-new-secret".getBytes();
    WebhookSettings settings =
        WebhookSettings.of(GITHUB.followedRepo, "main", List.of(Hmac.SECRET, newSecret));
    try (WebhookServer server = WebhookServer.start(settings)) {
      assertEquals(202, server.push(GITHUB, "d-old", Hmac.SECRET).statusCode());
      assertEquals(202, server.push(GITHUB, "d-new", newSecret).statusCode());
      assertEquals(401, server.push(GITHUB, "d-x", Hmac.OTHER_SECRET).statusCode());
      assertEquals(2, server.trigger.calls().size());
    }
  }

  @Test
  void gitLabTokenMayBeAnyConfiguredSecret() {
    byte[] newSecret = "the-new-secret".getBytes();
    ProviderCase gitlab = ProviderCase.GITLAB;
    WebhookSettings settings =
        WebhookSettings.of(gitlab.followedRepo, "main", List.of(Hmac.SECRET, newSecret));
    try (WebhookServer server = WebhookServer.start(settings)) {
      assertEquals(202, server.push(gitlab, "d-new", newSecret).statusCode());
      assertEquals(
          401,
          server.push(gitlab, "d-x", "the-new".getBytes()).statusCode(),
          "a prefix of a secret is not the secret");
    }
  }

  @Test
  void chunkedBodyOverTheCapIsRefusedBySizeReadNotByDeclaredLength() {
    byte[] push = GITHUB.push();
    try (WebhookServer server =
        WebhookServer.start(
            new WebhookSettings(
                GITHUB.followedRepo, "main", List.of(Hmac.SECRET), push.length - 1))) {
      HttpResponse<String> response =
          server.postChunked(GITHUB.path, GITHUB.pushHeaders("d-1", push, Hmac.SECRET), push);

      assertEquals(413, response.statusCode(), response.body());
      assertEquals(List.of(), server.trigger.calls());
    }
  }

  @Test
  void chunkedBodyWithinTheCapIsAccepted() {
    try (WebhookServer server = WebhookServer.start(GITHUB.followedRepo, "main")) {
      byte[] push = GITHUB.push();
      assertEquals(
          202,
          server
              .postChunked(GITHUB.path, GITHUB.pushHeaders("d-1", push, Hmac.SECRET), push)
              .statusCode());
    }
  }

  @Test
  void oversizeBodyIsRefusedBeforeItsSignatureIsChecked() {
    byte[] huge = new byte[200_000];
    Arrays.fill(huge, (byte) ' ');
    try (WebhookServer server = WebhookServer.start(GITHUB.followedRepo, "main")) {
      assertEquals(
          413,
          server
              .post(GITHUB.path, GITHUB.pushHeaders("d-1", huge, Hmac.OTHER_SECRET), huge)
              .statusCode());
      assertEquals(1, server.count("github", "too_large"));
      assertEquals(0, server.count("github", "unauthorized"));
    }
  }

  @Test
  void failingTriggerAnswers503AndTheRedeliveryIsNotTakenForADuplicate() {
    AtomicInteger attempts = new AtomicInteger();
    RefreshTrigger failsOnce =
        hint -> {
          if (attempts.incrementAndGet() == 1) {
            throw new IllegalStateException("queue closed");
          }
        };
    WebhookSettings settings =
        WebhookSettings.of(GITHUB.followedRepo, "main", List.of(Hmac.SECRET));
    try (WebhookServer server = WebhookServer.startWithTrigger(settings, failsOnce)) {
      byte[] body = GITHUB.push();
      var headers = GITHUB.pushHeaders("d-1", body, Hmac.SECRET);

      HttpResponse<String> first = server.post(GITHUB.path, headers, body);
      HttpResponse<String> redelivery = server.post(GITHUB.path, headers, body);

      assertEquals(503, first.statusCode());
      assertTrue(first.body().startsWith("{\"error\":"), first.body());
      assertEquals(202, redelivery.statusCode());
      assertEquals("{\"status\":\"accepted\"}", redelivery.body());
      assertEquals(2, attempts.get());
    }
  }

  @Test
  void localFollowedRepositorySkipsTheRepositoryCheckButNotTheBranchCheck() {
    for (String local :
        List.of("/srv/ogp/fleet-state", "file:///srv/ogp/fleet-state.git", "./fleet-state")) {
      try (WebhookServer server = WebhookServer.start(local, "main")) {
        assertEquals(202, server.push(GITHUB, "d-1", Hmac.SECRET).statusCode());
        assertEquals(1, server.trigger.calls().size(), local);
      }
      try (WebhookServer server = WebhookServer.start(local, "release")) {
        server.push(GITHUB, "d-1", Hmac.SECRET);
        assertEquals(1, server.count("github", "ignored_branch"), local);
      }
    }
  }

  @Test
  void followedBranchMayBeGivenAsAFullRef() {
    try (WebhookServer server = WebhookServer.start(GITHUB.followedRepo, "refs/heads/main")) {
      assertEquals(202, server.push(GITHUB, "d-1", Hmac.SECRET).statusCode());
      assertEquals(1, server.trigger.calls().size());
    }
  }

  @Test
  void countersAreKeptPerProviderAndOutcome() {
    try (WebhookServer server = WebhookServer.start(GITHUB.followedRepo, "main")) {
      server.push(GITHUB, "d-1", Hmac.SECRET);
      server.push(GITHUB, "d-1", Hmac.SECRET);
      server.push(GITHUB, "d-2", Hmac.OTHER_SECRET);
      server.push(ProviderCase.GENERIC, "g-1", Hmac.SECRET);

      assertEquals(1, server.count("github", "accepted"));
      assertEquals(1, server.count("github", "duplicate"));
      assertEquals(1, server.count("github", "unauthorized"));
      assertEquals(1, server.count("generic", "ignored_repo"));
      assertEquals(
          4,
          server.registry.find(WebhookRoutes.METRIC).counters().stream()
              .mapToDouble(counter -> counter.count())
              .sum());
    }
  }
}
