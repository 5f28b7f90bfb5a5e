package ogp.agent.identity;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how an enrolled agent renews its certificate over the link, for the same key.
 *
 * <p>Policy: renewal is due once two thirds of the current certificate's validity have passed
 * (checked at each Welcome and every minute); a request is sent at most once a minute while no
 * answer came. A renewed certificate is accepted only if it is for this agent's key, names the same
 * subject and is signed by the pinned CA; it then replaces {@code agent.crt} atomically and is used
 * from the next connection (the current one goes on with the old one). The private key is read from
 * its file to sign the request and never sent.
 *
 * <p>Called from the link's control thread only (it reads and writes files).
 */
public final class CertificateRenewal {
  private static final Logger log = LoggerFactory.getLogger(CertificateRenewal.class);

  /** How long an unanswered request waits before it is sent again. */
  static final Duration RETRY = Duration.ofMinutes(1);

  private final EnrolledIdentity identity;
  private final String hostId;
  private Instant requestedAt; // null: no request in flight

  public CertificateRenewal(EnrolledIdentity identity, String hostId) {
    this.identity = identity;
    this.hostId = hostId;
  }

  /** When renewal of {@code certificate} is due: two thirds into its validity. */
  public static Instant dueAt(X509Certificate certificate) {
    Instant from = certificate.getNotBefore().toInstant();
    Instant to = certificate.getNotAfter().toInstant();
    return from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3));
  }

  /**
   * A CSR to send now, or empty when renewal is not due (or a request is waiting for its answer).
   */
  public Optional<byte[]> requestIfDue(Instant now) throws IOException {
    if (requestedAt != null && now.isBefore(requestedAt.plus(RETRY))) return Optional.empty();
    X509Certificate current = identity.readCertificate();
    if (now.isBefore(dueAt(current))) return Optional.empty();
    PrivateKey key = identity.readKey();
    requestedAt = now;
    log.info(
        "renewing the agent certificate (valid until {}) over the link",
        current.getNotAfter().toInstant());
    return Optional.of(CertificateRequest.der(hostId, current.getPublicKey(), key));
  }

  /**
   * Checks and keeps a renewed certificate (DER).
   *
   * @throws IOException when it is not usable (then the old one stays, and renewal is tried again)
   */
  public X509Certificate accept(byte[] der) throws IOException {
    requestedAt = null;
    X509Certificate renewed = EnrolledIdentity.certificate(der, "the renewed certificate");
    X509Certificate current = identity.readCertificate();
    if (!renewed.getPublicKey().equals(current.getPublicKey())) {
      throw new IOException(
          "the renewed certificate is not for this agent's key; keeping the old one");
    }
    if (!renewed.getSubjectX500Principal().equals(current.getSubjectX500Principal())) {
      throw new IOException(
          "the renewed certificate names "
              + renewed.getSubjectX500Principal()
              + "; keeping the old one");
    }
    try {
      renewed.verify(identity.readCa().getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "the renewed certificate is not signed by the pinned CA; keeping the old one");
    }
    identity.writeCertificate(renewed);
    log.info(
        "agent certificate renewed: valid until {}, used from the next connection",
        renewed.getNotAfter().toInstant());
    return renewed;
  }
}
