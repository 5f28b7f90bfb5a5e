package ogp.webhook;

import java.util.Locale;

/** How a delivery ended: its HTTP status and its {@code outcome} tag in the metrics. */
enum Outcome {
  ACCEPTED(202),
  IGNORED_REPO(202),
  IGNORED_BRANCH(202),
  /** A verified event that is not a push (issues, pull requests, ...). */
  IGNORED_EVENT(202),
  DUPLICATE(202),
  PING(200),
  UNAUTHORIZED(401),
  TOO_LARGE(413),
  BAD_REQUEST(400),
  /** The refresh trigger failed: 503 so that the provider redelivers. Not caused by any body. */
  TRIGGER_FAILED(503);

  final int status;

  Outcome(int status) {
    this.status = status;
  }

  String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  boolean isError() {
    return status >= 400;
  }
}
