package ogp.webhook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every delivery that does not queue a refresh, at the default level, so that an operator
 * whose hook "does nothing" finds why in the server log and not only in a metric: refused
 * deliveries (401, 413, 400) at WARN, ignored ones (another repository, branch or event, a
 * redelivery) and pings at INFO. One line each, with the provider, the delivery id and the reason.
 *
 * <p>Every value a sender chose (the delivery id, a reason quoting the body, what the payload
 * named) is escaped and bounded by {@link LogText}, so no delivery can forge or flood log lines;
 * the followed URL, which may carry credentials, is never logged. Accepted deliveries are logged by
 * {@link DeliveryReceiver}, and a failed refresh there at ERROR with its exception.
 */
final class DeliveryLog {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLog.class);

  private DeliveryLog() {}

  static void record(String provider, String deliveryId, Reply reply) {
    switch (reply.outcome()) {
      case ACCEPTED, TRIGGER_FAILED -> {}
      case UNAUTHORIZED, TOO_LARGE, BAD_REQUEST ->
          log.warn(
              "webhook delivery refused: provider={} delivery={} outcome={} reason={}{}",
              provider,
              LogText.quote(deliveryId),
              reply.outcome().tag(),
              LogText.quote(reply.message()),
              detail(reply));
      case PING ->
          log.info(
              "webhook ping answered: provider={} delivery={}",
              provider,
              LogText.quote(deliveryId));
      case IGNORED_REPO, IGNORED_BRANCH, IGNORED_EVENT, DUPLICATE ->
          log.info(
              "webhook delivery ignored: provider={} delivery={} outcome={} reason={}{}",
              provider,
              LogText.quote(deliveryId),
              reply.outcome().tag(),
              LogText.quote(reply.message()),
              detail(reply));
    }
  }

  private static String detail(Reply reply) {
    return reply.detail().isEmpty() ? "" : " (" + reply.detail() + ")";
  }
}
