package ogp.reconciler.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The server's own certificate for the agent link and HTTPS, kept next to its CA: {@code
 * server.crt} (the leaf, then the CA certificate, so a client that has only the CA's pin finds the
 * CA in the chain) and {@code server.key} (mode 0600).
 *
 * <p>Policy: at start the certificate is kept when it names exactly the wanted names, was signed by
 * the current CA, matches its key and is valid for more than {@link #RENEW_BEFORE}; otherwise a new
 * key and certificate are issued and the reason is returned for the log. Clients trust the CA, not
 * this certificate, so re-issuing it changes nothing for them. A certificate the operator gave
 * ({@code --tls-cert}) never comes here.
 */
public final class ServerCertificate {
  public static final String CERTIFICATE = "server.crt";
  public static final String KEY = "server.key";

  /** A certificate that expires sooner than this is re-issued at start. */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private ServerCertificate() {}

  /**
   * What {@link #ensure} left in the directory.
   *
   * @param reissued why a new certificate was issued; empty when the existing one was kept
   */
  public record Result(Path certificate, Path privateKey, Optional<String> reissued) {}

  /**
   * The server certificate in {@code dir} for {@code names}, issued by {@code ca} when there is
   * none or it must be replaced (see the policy).
   */
  public static Result ensure(Path dir, CertificateAuthority ca, ServerNames names, Clock clock)
      throws IOException {
    Path certificate = dir.resolve(CERTIFICATE);
    Path key = dir.resolve(KEY);
    Optional<String> reason = whyReissue(certificate, key, ca, names, clock);
    if (reason.isPresent()) {
      IssuedCertificate issued = ca.issueServer(names.dnsNames(), names.ipAddresses());
      // The key first: a crash between the two leaves a certificate that does not match its key,
      // which the next start notices and replaces.
      PemFiles.writePrivateKey(key, issued.privateKey());
      PemFiles.writeCertificateChain(
          certificate, List.of(issued.certificate(), ca.certificate().certificate()));
    }
    return new Result(certificate, key, reason);
  }

  private static Optional<String> whyReissue(
      Path certificate, Path key, CertificateAuthority ca, ServerNames names, Clock clock) {
    if (!Files.exists(certificate) || !Files.exists(key)) {
      return Optional.of("there was none");
    }
    X509Certificate leaf;
    PrivateKey privateKey;
    try {
      leaf = PemFiles.readCertificates(certificate).get(0);
      privateKey = PemFiles.readPrivateKey(key);
    } catch (IOException e) {
      return Optional.of("the old one could not be read (" + e.getMessage() + ")");
    }
    try {
      leaf.verify(ca.certificate().certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      return Optional.of("the old one was not signed by this CA");
    }
    if (!matches(leaf, privateKey)) {
      return Optional.of("the old one does not match " + key);
    }
    ServerNames held = ServerNames.of(leaf);
    if (!held.sameNames(names)) {
      return Optional.of("its names " + held.all() + " are not the wanted " + names.all());
    }
    if (leaf.getNotAfter().toInstant().isBefore(clock.instant().plus(RENEW_BEFORE))) {
      return Optional.of(
          "the old one expires on " + leaf.getNotAfter().toInstant() + ", within 30 days");
    }
    return Optional.empty();
  }

  /** Whether the key signs what the certificate's public key verifies. */
  private static boolean matches(X509Certificate certificate, PrivateKey key) {
    byte[] probe = "ogp server certificate".getBytes(StandardCharsets.US_ASCII);
    try {
      String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
