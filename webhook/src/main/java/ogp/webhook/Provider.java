package ogp.webhook;

import java.util.List;

/**
 * One Git host's dialect: how to recognize its deliveries, verify them, and read a push from them.
 * Implementations are stateless and read only the documented headers and fields.
 */
interface Provider {

  /** The name used in {@link PushEvent#provider()}, logs and metrics tags. */
  String name();

  /** True if the headers are this provider's own (checked most specific provider first). */
  boolean recognizes(InboundRequest request);

  SignatureCheck signature();

  /** The delivery id, stable across the provider's redeliveries, or {@code ""}. */
  String deliveryId(InboundRequest request);

  /** What the verified delivery is about. */
  EventKind kind(InboundRequest request, Payload payload) throws MalformedPayload;

  /** The repository a push event names; throws if it names none. */
  PushedRepository repository(Payload payload) throws MalformedPayload;

  /**
   * The refs a push event of that repository updated, one {@link PushEvent} each (most providers
   * name exactly one; Bitbucket names a list).
   */
  List<PushEvent> pushes(Payload payload, PushedRepository repository, String deliveryId)
      throws MalformedPayload;

  /** The value of a required event header, or a clear complaint naming it. */
  static String requiredHeader(InboundRequest request, String header) throws MalformedPayload {
    String value = request.header(header);
    if (value.isEmpty()) {
      throw new MalformedPayload("missing " + header + " header");
    }
    return value;
  }
}
