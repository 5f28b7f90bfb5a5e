package ogp.protocol.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pin an agent checks the server's CA against before it enrols: {@code sha256:} and the
 * lower-case hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo, as {@code kubeadm join
 * --discovery-token-ca-cert-hash} writes it, so {@code openssl x509 -pubkey -noout -in ca.crt |
 * openssl pkey -pubin -outform der | sha256sum} computes the same value.
 *
 * <p>Policy: the hash covers the public key only, so a CA re-issued with the same key keeps its
 * pin; parsing accepts upper-case hex and refuses anything that is not exactly {@code sha256:} and
 * 64 hex digits.
 */
public final class CaHash {
  public static final String PREFIX = "sha256:";
  private static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");

  private CaHash() {}

  /** The pin of {@code ca}, e.g. {@code sha256:5d1c…}. */
  public static String of(X509Certificate ca) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded());
      return PREFIX + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** {@code text} as a canonical pin, or empty when it is not one. */
  public static Optional<String> parse(String text) {
    if (text == null) return Optional.empty();
    String lower = text.strip().toLowerCase(Locale.ROOT);
    return FORMAT.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
  }
}
