package ogp.reconciler.agents;

import java.util.Optional;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.auth.TokenVerifier;

/**
 * Decides whether a Hello may open a session: the protocol version must be exactly {@link
 * Protocol#VERSION}, the host id must be present and the join token must match; under mutual TLS
 * the host id must also be a name of the client certificate. The join token must be a valid token
 * whose role {@link Permission#JOIN} allows (an API token is no join token). Pure apart from the
 * token check; the handler does the refusing and the logging, and neither ever shows the presented
 * token.
 */
final class HelloCheck {
  private final TokenVerifier tokens;

  HelloCheck(TokenVerifier tokens) {
    this.tokens = tokens;
  }

  /**
   * The refusal to send, or empty when the agent is welcome (plain TCP or no client certificate).
   */
  Optional<Refusal> check(Hello hello) {
    return check(hello, Optional.empty());
  }

  /**
   * The refusal to send, or empty when the agent is welcome.
   *
   * @param clientCertificate the verified client certificate of the connection, if it has one
   */
  Optional<Refusal> check(Hello hello, Optional<PeerCertificate> clientCertificate) {
    if (hello.getProtocolVersion() != Protocol.VERSION) {
      return Optional.of(
          refusal(
              Refusal.Code.UNSUPPORTED_PROTOCOL,
              "protocol version "
                  + hello.getProtocolVersion()
                  + " is not supported; this server speaks "
                  + Protocol.VERSION));
    }
    if (hello.getHostId().isBlank()) {
      return Optional.of(refusal(Refusal.Code.PROTOCOL_ERROR, "Hello without a host id"));
    }
    if (hello.getHostId().length() > AgentInput.MAX_HOST_ID) {
      return Optional.of(
          refusal(
              Refusal.Code.PROTOCOL_ERROR,
              "host id of "
                  + hello.getHostId().length()
                  + " characters; at most "
                  + AgentInput.MAX_HOST_ID));
    }
    boolean joins =
        tokens
            .verify(hello.getJoinToken())
            .filter(g -> Permission.JOIN.allows(g.role()))
            .isPresent();
    if (!joins) {
      return Optional.of(
          refusal(
              Refusal.Code.BAD_TOKEN,
              "join token refused; copy <data-dir>/join-token of the server to the agent"));
    }
    // Checked after the token so that a stranger learns nothing about certificate names.
    if (clientCertificate.isPresent() && !clientCertificate.get().names(hello.getHostId())) {
      return Optional.of(
          refusal(
              Refusal.Code.IDENTITY_MISMATCH,
              "host id '"
                  + hello.getHostId()
                  + "' is not a name of the client certificate "
                  + clientCertificate.get().names()
                  + "; issue the agent a certificate for its host id (ogp certs agent --host-id ...)"));
    }
    return Optional.empty();
  }

  static Refusal refusal(Refusal.Code code, String reason) {
    return Refusal.newBuilder().setCode(code).setReason(reason).build();
  }
}
