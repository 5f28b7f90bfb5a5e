package ogp.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a provider proves a delivery is genuine. Every comparison is constant-time ({@link
 * MessageDigest#isEqual}) and every configured secret is tried, so secrets can rotate.
 */
sealed interface SignatureCheck {

  /** The header that carries the proof, for error messages. */
  String header();

  boolean verify(InboundRequest request, List<byte[]> secrets);

  /**
   * HMAC-SHA256 of the raw body, lower- or upper-case hex, after an optional prefix such as {@code
   * sha256=} (GitHub, Bitbucket, generic) or none (Gitea, Forgejo, Gogs).
   */
  record HmacSha256(String header, String prefix) implements SignatureCheck {
    @Override
    public boolean verify(InboundRequest request, List<byte[]> secrets) {
      String value = request.header(header);
      if (!value.startsWith(prefix)) {
        return false;
      }
      byte[] claimed;
      try {
        claimed = HexFormat.of().parseHex(value.substring(prefix.length()));
      } catch (IllegalArgumentException notHex) {
        return false;
      }
      boolean valid = false;
      for (byte[] secret : secrets) {
        valid |=
            MessageDigest.isEqual(
                hmac(secret, request.body()), claimed); // no early exit: same time per secret
      }
      return valid;
    }

    private static byte[] hmac(byte[] secret, byte[] body) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return mac.doFinal(body);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
      }
    }
  }

  /**
   * The secret itself in a header (GitLab's {@code X-Gitlab-Token}). Both sides are hashed before
   * the compare so that not even the secret's length leaks through timing.
   */
  record SharedToken(String header) implements SignatureCheck {
    @Override
    public boolean verify(InboundRequest request, List<byte[]> secrets) {
      String value = request.header(header);
      if (value.isEmpty()) {
        return false;
      }
      byte[] claimed = sha256(value.getBytes(StandardCharsets.UTF_8));
      boolean valid = false;
      for (byte[] secret : secrets) {
        valid |= MessageDigest.isEqual(sha256(secret), claimed);
      }
      return valid;
    }

    private static byte[] sha256(byte[] bytes) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
      }
    }
  }
}
