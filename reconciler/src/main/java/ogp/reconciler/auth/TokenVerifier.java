package ogp.reconciler.auth;

import java.util.Optional;

/** Checks a presented token; never logs it and never puts it in an exception. */
@FunctionalInterface
public interface TokenVerifier {
  /** The grant of the token, or empty when it is unknown, revoked or expired. */
  Optional<TokenGrant> verify(String presented);

  /** Accepts exactly one token (tests, embedded servers). */
  static TokenVerifier single(String name, Role role, SecretToken token) {
    TokenGrant grant = new TokenGrant(name, role);
    return presented -> token.matches(presented) ? Optional.of(grant) : Optional.empty();
  }
}
