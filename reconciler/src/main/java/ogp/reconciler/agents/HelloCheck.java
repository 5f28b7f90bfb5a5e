package ogp.reconciler.agents;

import ogp.reconciler.auth.SecretToken;
import java.util.Optional;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;

/**
 * Decides whether a Hello may open a session: the protocol version must be exactly {@link
 * Protocol#VERSION}, the host id must be present and the join token must match. Pure apart from
 * the constant-time token comparison; the handler does the refusing and the logging.
 */
final class HelloCheck {
  private final SecretToken token;

  HelloCheck(SecretToken token) {
    this.token = token;
  }

  /** The refusal to send, or empty when the agent is welcome. */
  Optional<Refusal> check(Hello hello) {
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
    if (!token.matches(hello.getJoinToken())) {
      return Optional.of(
          refusal(
              Refusal.Code.BAD_TOKEN,
              "join token refused; copy <data-dir>/join-token of the server to the agent"));
    }
    return Optional.empty();
  }

  static Refusal refusal(Refusal.Code code, String reason) {
    return Refusal.newBuilder().setCode(code).setReason(reason).build();
  }
}
