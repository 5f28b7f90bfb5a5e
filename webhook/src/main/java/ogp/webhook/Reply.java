package ogp.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to a delivery: {@code {"status": "<outcome>"}} (with a {@code reason} when ignored) or
 * {@code {"error": "<message>"}}.
 */
record Reply(Outcome outcome, String message) {

  static Reply of(Outcome outcome) {
    return new Reply(outcome, "");
  }

  Map<String, String> body() {
    Map<String, String> body = new LinkedHashMap<>();
    if (outcome.isError()) {
      body.put("error", message.isEmpty() ? outcome.tag() : message);
    } else {
      body.put("status", outcome.tag());
      if (!message.isEmpty()) {
        body.put("reason", message);
      }
    }
    return body;
  }
}
