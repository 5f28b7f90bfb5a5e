package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deliveries that queue no refresh are logged at the default level with their provider, delivery id
 * and reason, every sender-chosen value escaped and bounded.
 */
class DeliveryLoggingTest {
  private static final ProviderCase BBS = ProviderCase.BITBUCKET_SERVER;

  @Test
  void deliveryWithAWrongSignatureIsLoggedAsRefusedWithProviderDeliveryIdAndReason() {
    try (WebhookServer server = WebhookServer.start(BBS.followedRepo, "main");
        LogCapture log = new LogCapture()) {
      assertEquals(401, server.push(BBS, "refused-delivery-1", Hmac.OTHER_SECRET).statusCode());

      log.assertOneLine(
          "refused-delivery-1",
          "WARN",
          "provider=bitbucket-server",
          "outcome=unauthorized",
          "reason=\"missing or invalid X-Hub-Signature header\"");
    }
  }

  @Test
  void unreadableBodyIsLoggedAsRefusedWithTheParsersReason() {
    try (WebhookServer server = WebhookServer.start(BBS.followedRepo, "main");
        LogCapture log = new LogCapture()) {
      byte[] body = "{\"changes\": [".getBytes(StandardCharsets.UTF_8);
      assertEquals(
          400,
          server
              .post(BBS.path, BBS.pushHeaders("refused-delivery-2", body, Hmac.SECRET), body)
              .statusCode());

      log.assertOneLine(
          "refused-delivery-2",
          "WARN",
          "provider=bitbucket-server",
          "outcome=bad_request",
          "reason=\"body is not valid JSON");
    }
  }

  @Test
  void pushToAnotherBranchIsLoggedAsIgnoredNamingItsRefs() {
    try (WebhookServer server = WebhookServer.start(BBS.followedRepo, "release");
        LogCapture log = new LogCapture()) {
      server.push(BBS, "ignored-branch-delivery", Hmac.SECRET);

      log.assertOneLine(
          "ignored-branch-delivery",
          "INFO",
          "provider=bitbucket-server",
          "outcome=ignored_branch",
          "\"refs/heads/main\"");
    }
  }

  @Test
  void senderChosenValuesAreEscapedAndBoundedInTheLog() {
    String forged = "x\r\nWARN forged line \"quoted\" " + "y".repeat(5_000);
    try (WebhookServer server = WebhookServer.start(BBS.followedRepo, "main");
        LogCapture log = new LogCapture()) {
      byte[] body = BBS.push();
      Map<String, String> headers = BBS.pushHeaders("ignored", body, Hmac.OTHER_SECRET);
      headers.put("X-Request-Id", forged.replace("\r\n", "\t"));
      server.post(BBS.path, headers, body);
      // A header cannot carry CR or LF; a payload string can.
      byte[] other =
          new String(body, StandardCharsets.UTF_8)
              .replace("fleet-state", forged.replace("\r\n", "\\r\\n").replace("\"", "\\\""))
              .getBytes(StandardCharsets.UTF_8);
      server.post(BBS.path, BBS.pushHeaders("escaped-delivery", other, Hmac.SECRET), other);

      List<String> lines = log.linesAtDefaultLevelMentioning("forged line");
      assertEquals(2, lines.size(), lines.toString());
      for (String line : lines) {
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\t"), line);
        assertTrue(line.length() < 2_000, "a bounded line, not " + line.length() + " chars");
        assertTrue(line.matches(".*…\" \\(50\\d\\d characters\\).*"), line);
      }
      assertTrue(
          lines.get(1).contains("\\u000d\\u000aWARN forged line \\\"quoted\\\""), lines.get(1));
    }
  }
}
