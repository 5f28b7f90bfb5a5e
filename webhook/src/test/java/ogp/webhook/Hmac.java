package ogp.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs bodies the way the providers do, independently of the code under test. */
final class Hmac {
  static final byte[] SECRET = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
  static final byte[] OTHER_SECRET = "not-the-configured-secret".getBytes(StandardCharsets.UTF_8);

  private Hmac() {}

  static String sha256Hex(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
