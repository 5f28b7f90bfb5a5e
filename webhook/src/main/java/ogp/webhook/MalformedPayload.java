package ogp.webhook;

/** A verified delivery we cannot read; the message tells the sender what is wrong (400). */
final class MalformedPayload extends Exception {
  MalformedPayload(String message) {
    super(message);
  }
}
