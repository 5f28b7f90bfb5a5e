package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example payloads each forge publishes in its own documentation (copied unchanged under {@code
 * payloads/documented/}, sources in the README there), sent with the headers that forge documents,
 * are accepted for the repository and branch they name.
 */
class DocumentedPayloadsTest {
  private static final String BBS_AFTER = "178864a7d521b6f5e720b386b2c2b0ef8563e0dc";

  static Stream<Arguments> documentedPushes() {
    return Stream.of(
        Arguments.of(
            ProviderCase.GITHUB,
            "documented/github/push.json",
            "https://github.com/Codertocat/Hello-World.git",
            "master",
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246"),
        Arguments.of(
            ProviderCase.GITLAB,
            "documented/gitlab/push.json",
            "http://example.com/mike/diaspora.git",
            "master",
            "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"),
        Arguments.of(
            ProviderCase.GITEA,
            "documented/gitea/push.json",
            "http://localhost:3000/gitea/webhooks.git",
            "develop",
            "bffeb74224043ba2feb48d137756c8a9331c449a"),
        // Forgejo documents Gitea's example body with its own X-Forgejo-* headers added.
        Arguments.of(
            ProviderCase.FORGEJO,
            "documented/gitea/push.json",
            "ssh://gitea@localhost:2222/gitea/webhooks.git",
            "develop",
            "bffeb74224043ba2feb48d137756c8a9331c449a"),
        Arguments.of(
            ProviderCase.BITBUCKET_CLOUD,
            "bitbucket-cloud/push.json",
            "https://bitbucket.org/acme/fleet-state",
            "main",
            "9fbd8b24a8e1c1c6b5d53b8c06a2e7bc2fa87e5d"),
        Arguments.of(
            ProviderCase.BITBUCKET_SERVER,
            "documented/bitbucket-server/push.json",
            "https://bitbucket.example.com/scm/proj/repository.git",
            "master",
            BBS_AFTER));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("documentedPushes")
  void documentedPushOfEachForgeIsAcceptedForTheRepositoryItNames(
      ProviderCase c, String fixture, String followedRepo, String branch, String after) {
    try (WebhookServer server = WebhookServer.start(followedRepo, branch)) {
      HttpResponse<String> response = post(server, c, fixture, "doc-1");

      assertEquals(202, response.statusCode(), response.body());
      assertEquals("{\"status\":\"accepted\"}", response.body());
      List<PushEvent> calls = server.trigger.calls();
      assertEquals(1, calls.size());
      assertEquals(c.provider, calls.get(0).provider());
      assertEquals("refs/heads/" + branch, calls.get(0).ref());
      assertEquals(after, calls.get(0).after());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://bitbucket.example.com/scm/proj/repository.git",
        "https://bitbucket.example.com/scm/PROJ/repository",
        "http://bitbucket.example.com:7990/scm/proj/repository.git",
        "https://example.com/bitbucket/scm/proj/repository.git",
        "https://bitbucket.example.com/proj/repository.git",
        "https://bitbucket.example.com/projects/PROJ/repos/repository",
        "https://bitbucket.example.com/projects/PROJ/repos/repository/browse",
        "ssh://git@bitbucket.example.com:7999/proj/repository.git",
        "git@bitbucket.example.com:proj/repository.git"
      })
  void documentedBitbucketServerPushIsAcceptedForEveryFormOfTheFollowedUrl(String followedRepo) {
    try (WebhookServer server = WebhookServer.start(followedRepo, "master")) {
      HttpResponse<String> response =
          post(server, ProviderCase.BITBUCKET_SERVER, "documented/bitbucket-server/push.json", "d");

      assertEquals(202, response.statusCode(), response.body());
      assertEquals("{\"status\":\"accepted\"}", response.body(), followedRepo);
      assertEquals(
          List.of(BBS_AFTER), server.trigger.calls().stream().map(PushEvent::after).toList());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://bitbucket.example.com/scm/proj/other-repository.git",
        "https://bitbucket.example.com/scm/other/repository.git",
        "https://bitbucket.example.com/projects/OTHER/repos/repository",
        "ssh://git@bitbucket.example.com:7999/proj/repository-fork.git",
        "https://bitbucket.example.com/scm/~admin/repository.git"
      })
  void documentedBitbucketServerPushForAnotherRepositoryIsIgnoredAndLogged(String followedRepo) {
    try (WebhookServer server = WebhookServer.start(followedRepo, "master");
        LogCapture log = new LogCapture()) {
      HttpResponse<String> response =
          post(
              server,
              ProviderCase.BITBUCKET_SERVER,
              "documented/bitbucket-server/push.json",
              "other-repo-delivery");

      assertEquals(202, response.statusCode(), response.body());
      assertTrue(response.body().contains("\"status\":\"ignored_repo\""), response.body());
      assertEquals(List.of(), server.trigger.calls());
      log.assertOneLine(
          "other-repo-delivery",
          "INFO",
          "provider=bitbucket-server",
          "outcome=ignored_repo",
          "reason=\"not the followed repository\"",
          "project \"PROJ\" repository \"repository\"");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://bitbucket.example.com/scm/~jsmith/repository.git",
        "ssh://git@bitbucket.example.com:7999/~jsmith/repository.git",
        "https://bitbucket.example.com/users/jsmith/repos/repository/browse"
      })
  void bitbucketServerPushOfAPersonalRepositoryMatchesItsTildeUrls(String followedRepo) {
    // The documented push, from the personal project of user jsmith (key "~JSMITH").
    byte[] personal =
        text("documented/bitbucket-server/push.json")
            .replace("\"key\":\"PROJ\"", "\"key\":\"~JSMITH\"")
            .getBytes(StandardCharsets.UTF_8);
    try (WebhookServer server = WebhookServer.start(followedRepo, "master")) {
      HttpResponse<String> response =
          server.post(
              "/webhooks/bitbucket",
              ProviderCase.BITBUCKET_SERVER.pushHeaders("d-personal", personal, Hmac.SECRET),
              personal);

      assertEquals("{\"status\":\"accepted\"}", response.body(), followedRepo);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://bitbucket.example.com/projects/PLAT/repos/fleet-state",
        "https://bitbucket.example.com/scm/PLAT/fleet-state",
        "ssh://git@bitbucket.example.com:7999/plat/fleet-state.git"
      })
  void bitbucketServerPushWithLinksMatchesKeyAndSlugOnTheHostOfItsLinks(String followedRepo) {
    try (WebhookServer server = WebhookServer.start(followedRepo, "main")) {
      assertEquals(
          "{\"status\":\"accepted\"}",
          server.push(ProviderCase.BITBUCKET_SERVER, "d-links", Hmac.SECRET).body());
    }
    String elsewhere = followedRepo.replace("bitbucket.example.com", "git.elsewhere.example");
    try (WebhookServer server = WebhookServer.start(elsewhere, "main")) {
      assertTrue(
          server
              .push(ProviderCase.BITBUCKET_SERVER, "d-links", Hmac.SECRET)
              .body()
              .contains("\"status\":\"ignored_repo\""),
          elsewhere);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"documented/bitbucket-server/ping.json", "bitbucket-server/ping.json"})
  void bitbucketServerTestConnectionPingIsAnswered200AndLogged(String fixture) {
    try (WebhookServer server =
            WebhookServer.start("https://bitbucket.example.com/scm/proj/repository.git", "master");
        LogCapture log = new LogCapture()) {
      byte[] body = Fixtures.payload(fixture);
      Map<String, String> headers =
          ProviderCase.BITBUCKET_SERVER.pushHeaders("ping-delivery", body, Hmac.SECRET);
      headers.put("X-Event-Key", "diagnostics:ping");

      HttpResponse<String> response = server.post("/webhooks/bitbucket", headers, body);

      assertEquals(200, response.statusCode(), response.body());
      assertEquals("{\"status\":\"ping\"}", response.body());
      assertEquals(List.of(), server.trigger.calls());
      log.assertOneLine("ping-delivery", "INFO", "provider=bitbucket-server");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"repo:modified", "pr:opened", "repo:comment:added"})
  void bitbucketServerEventsOtherThanRefsChangedAreIgnored(String eventKey) {
    try (WebhookServer server =
        WebhookServer.start("https://bitbucket.example.com/scm/proj/repository.git", "master")) {
      byte[] body = Fixtures.payload("documented/bitbucket-server/push.json");
      Map<String, String> headers =
          ProviderCase.BITBUCKET_SERVER.pushHeaders("d-" + eventKey, body, Hmac.SECRET);
      headers.put("X-Event-Key", eventKey);

      HttpResponse<String> response = server.post("/webhooks/bitbucket", headers, body);

      assertEquals(202, response.statusCode(), response.body());
      assertTrue(response.body().contains("\"status\":\"ignored_event\""), response.body());
      assertEquals(List.of(), server.trigger.calls());
    }
  }

  private static HttpResponse<String> post(
      WebhookServer server, ProviderCase c, String fixture, String deliveryId) {
    byte[] body = Fixtures.payload(fixture);
    return server.post(c.path, c.pushHeaders(deliveryId, body, Hmac.SECRET), body);
  }

  private static String text(String fixture) {
    return new String(Fixtures.payload(fixture), StandardCharsets.UTF_8);
  }
}
