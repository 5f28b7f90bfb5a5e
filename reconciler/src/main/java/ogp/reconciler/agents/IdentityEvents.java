package ogp.reconciler.agents;

import java.time.Instant;

/**
 * What happens to host identities on the agent link, for the audit trail (the server records each
 * as an event). Called on the enrolment worker or the caller's thread, never on an event loop; an
 * implementation must return quickly and must not throw.
 */
public interface IdentityEvents {
  /** No events (tests, embedded servers). */
  IdentityEvents NONE = new IdentityEvents() {};

  /**
   * An agent enrolled with a join token and received a certificate valid until {@code notAfter}.
   */
  default void enrolled(String hostId, String tokenName, Instant notAfter) {}

  /** An agent renewed its certificate for the same key, now valid until {@code notAfter}. */
  default void renewed(String hostId, Instant notAfter) {}

  /** An admin revoked the host. */
  default void revoked(String hostId) {}
}
