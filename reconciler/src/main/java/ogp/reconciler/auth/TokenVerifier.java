package ogp.reconciler.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** Checks a presented token; never logs it and never puts it in an exception. */
@FunctionalInterface
public interface TokenVerifier {
  /** The grant of the token, or empty when it is unknown, revoked or expired. */
  Optional<TokenGrant> verify(String presented);

  /**
   * The grant of the token whose {@link #digest} is {@code sha256}, or empty when no valid token
   * has it: lets a holder re-check a token it once verified (a portal session signed in with the
   * admin token) without keeping the token itself. Empty for verifiers that keep no digests.
   */
  default Optional<TokenGrant> verifyDigest(String sha256) {
    return Optional.empty();
  }

  /** Accepts exactly one token (tests, embedded servers). */
  static TokenVerifier single(String name, Role role, SecretToken token) {
    TokenGrant grant = new TokenGrant(name, role);
    byte[] expected = digest(token.reveal()).getBytes(StandardCharsets.US_ASCII);
    return new TokenVerifier() {
      @Override
      public Optional<TokenGrant> verify(String presented) {
        return token.matches(presented) ? Optional.of(grant) : Optional.empty();
      }

      @Override
      public Optional<TokenGrant> verifyDigest(String sha256) {
        return sha256 != null
                && MessageDigest.isEqual(expected, sha256.getBytes(StandardCharsets.US_ASCII))
            ? Optional.of(grant)
            : Optional.empty();
      }
    };
  }

  /** The lowercase hex SHA-256 of a token's UTF-8 text (surrounding white space removed). */
  static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(token.strip().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
