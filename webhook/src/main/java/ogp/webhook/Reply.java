package ogp.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to a delivery: {@code {"status": "<outcome>"}} (with a {@code reason} when ignored) or
 * {@code {"error": "<message>"}}.
 *
 * @param outcome how the delivery ended
 * @param message the reason told to the sender, or {@code ""}
 * @param detail what only the log says (what the payload named), already escaped with {@link
 *     LogText}, or {@code ""}
 */
record Reply(Outcome outcome, String message, String detail) {

  Reply(Outcome outcome, String message) {
    this(outcome, message, "");
  }

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
