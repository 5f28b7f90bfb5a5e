package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract of SPEC §5.3, for every provider, over real HTTP. */
class ProviderDeliveryTest {

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void signedPushToFollowedBranchIsAcceptedAndTriggersOneRefreshWithTheHint(ProviderCase c) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "main")) {
      HttpResponse<String> response = server.push(c, "d-1", Hmac.SECRET);

      assertEquals(202, response.statusCode(), response.body());
      assertEquals("{\"status\":\"accepted\"}", response.body());
      assertEquals(
          "application/json",
          response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
      List<PushEvent> calls = server.trigger.calls();
      assertEquals(1, calls.size());
      PushEvent hint = calls.get(0);
      assertEquals(c.provider, hint.provider());
      assertEquals("refs/heads/main", hint.ref());
      assertEquals(c.after, hint.after());
      assertEquals("d-1", hint.deliveryId());
      assertEquals(1, server.count(c.provider, "accepted"));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void pushSignedWithAnotherSecretIsUnauthorizedAndTriggersNothing(ProviderCase c) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "main")) {
      HttpResponse<String> response = server.push(c, "d-1", Hmac.OTHER_SECRET);

      assertEquals(401, response.statusCode());
      assertTrue(response.body().startsWith("{\"error\":"), response.body());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count(c.provider, "unauthorized"));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void pushWhoseBodyWasAlteredAfterSigningIsUnauthorized(ProviderCase c) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "main")) {
      byte[] body = c.push();
      Map<String, String> headers = c.pushHeaders("d-1", body, Hmac.SECRET);
      byte[] altered =
          new String(body, StandardCharsets.UTF_8)
              .replace(c.after, "f".repeat(40))
              .getBytes(StandardCharsets.UTF_8);

      int status = server.post(c.path, headers, altered).statusCode();

      if (c == ProviderCase.GITLAB) {
        assertEquals(202, status, "GitLab sends a token, not a signature of the body");
      } else {
        assertEquals(401, status);
        assertEquals(List.of(), server.trigger.calls());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void pushWithoutItsProvidersSignatureHeaderIsUnauthorizedEvenIfOtherHeadersAreSigned(
      ProviderCase c) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "main")) {
      byte[] body = c.push();
      Map<String, String> headers = c.pushHeaders("d-1", body, Hmac.SECRET);
      headers.remove(c.signatureHeader);

      HttpResponse<String> response = server.post(c.path, headers, body);

      assertEquals(401, response.statusCode());
      assertTrue(response.body().contains(c.signatureHeader), response.body());
      assertEquals(List.of(), server.trigger.calls());
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void pushToAnotherRepositoryIsIgnored(ProviderCase c) {
    String otherRepo = c.followedRepo.replace("fleet-state", "other-state");
    try (WebhookServer server = WebhookServer.start(otherRepo, "main")) {
      HttpResponse<String> response = server.push(c, "d-1", Hmac.SECRET);

      assertEquals(202, response.statusCode());
      assertTrue(response.body().contains("\"status\":\"ignored_repo\""), response.body());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count(c.provider, "ignored_repo"));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void pushToAnotherBranchIsIgnored(ProviderCase c) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "release")) {
      HttpResponse<String> response = server.push(c, "d-1", Hmac.SECRET);

      assertEquals(202, response.statusCode());
      assertTrue(response.body().contains("\"status\":\"ignored_branch\""), response.body());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count(c.provider, "ignored_branch"));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void redeliveryWithTheSameDeliveryIdIsIgnoredAndTriggersOnlyOnce(ProviderCase c) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "main")) {
      byte[] body = c.push();
      Map<String, String> headers = c.pushHeaders("d-1", body, Hmac.SECRET);

      assertEquals(202, server.post(c.path, headers, body).statusCode());
      HttpResponse<String> again = server.post(c.path, headers, body);
      HttpResponse<String> next = server.push(c, "d-2", Hmac.SECRET);

      assertEquals(202, again.statusCode());
      assertTrue(again.body().contains("\"status\":\"duplicate\""), again.body());
      assertEquals(202, next.statusCode());
      assertEquals(
          List.of("d-1", "d-2"),
          server.trigger.calls().stream().map(PushEvent::deliveryId).toList());
      assertEquals(1, server.count(c.provider, "duplicate"));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void bodyOverTheCapIsRefusedWith413AndTriggersNothing(ProviderCase c) {
    byte[] push = c.push();
    try (WebhookServer server =
        WebhookServer.start(
            new WebhookSettings(c.followedRepo, "main", List.of(Hmac.SECRET), push.length))) {
      byte[] body = Arrays.copyOf(push, push.length + 1);
      body[push.length] = ' '; // still valid JSON, just one byte too many
      HttpResponse<String> response =
          server.post(c.path, c.pushHeaders("d-1", body, Hmac.SECRET), body);

      assertEquals(413, response.statusCode());
      assertTrue(response.body().contains("exceeds the limit"), response.body());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count(c.provider, "too_large"));
    }
  }

  static Stream<Arguments> unreadableBodies() {
    List<String> bodies =
        List.of(
            "",
            "not json at all",
            "{\"ref\": ",
            "[1, 2, 3]",
            "\"refs/heads/main\"",
            "null",
            "{\"unexpected\": {\"shape\": true}}",
            "{\"ref\": 42, \"repository\": [\"x\"]}",
            "{\"push\": {\"changes\": \"x\"}, \"changes\": 7, \"repository\": \"\"}");
    return Arrays.stream(ProviderCase.values())
        .flatMap(c -> bodies.stream().map(body -> Arguments.of(c, body)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("unreadableBodies")
  void signedButUnreadableBodyIsABadRequestWithAClearMessage(ProviderCase c, String text) {
    try (WebhookServer server = WebhookServer.start(c.followedRepo, "main")) {
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> response =
          server.post(c.path, c.pushHeaders("d-1", body, Hmac.SECRET), body);

      assertEquals(400, response.statusCode(), response.body());
      assertTrue(response.body().matches("\\{\"error\":\".*(JSON|payload).*\"}"), response.body());
      assertEquals(List.of(), server.trigger.calls());
      assertEquals(1, server.count(c.provider, "bad_request"));
    }
  }
}
