package ogp.reconciler.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import ogp.protocol.tls.CaHash;

/**
 * The server's own CA, kept in one directory ({@code <data-dir>/pki} by default): {@code ca.crt}
 * and {@code ca.key} (mode 0600). Created on first start, read on every later one.
 *
 * <p>Policy: an existing directory is never overwritten; a CA certificate without its key (or the
 * other way round) or one that is no CA refuses the start with the file's name, rather than a new
 * CA silently replacing the one every enrolled agent trusts.
 */
public final class ServerPki {
  public static final String CA_CERTIFICATE = "ca.crt";
  public static final String CA_KEY = "ca.key";

  private final Path dir;
  private final CertificateAuthority ca;

  private ServerPki(Path dir, CertificateAuthority ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** The CA in {@code dir}, made there (named {@code name}) when the directory holds none. */
  public static ServerPki loadOrCreate(Path dir, String name, Clock clock, SecureRandom random)
      throws IOException {
    Path certificate = dir.resolve(CA_CERTIFICATE);
    Path key = dir.resolve(CA_KEY);
    boolean hasCertificate = Files.exists(certificate);
    if (hasCertificate != Files.exists(key)) {
      throw new IllegalStateException(
          "the CA in "
              + dir
              + " is incomplete: "
              + (hasCertificate ? key : certificate)
              + " is missing; restore it from a backup (a new CA would lock out every enrolled agent)");
    }
    if (hasCertificate) {
      return new ServerPki(dir, load(certificate, key, clock, random));
    }
    Files.createDirectories(dir);
    CertificateAuthority created = CertificateAuthority.create(name, clock, random);
    PemFiles.writePrivateKey(key, created.certificate().privateKey());
    PemFiles.writeCertificate(certificate, created.certificate().certificate());
    return new ServerPki(dir, created);
  }

  /** A CA given as files (e.g. {@code --ca-cert}, {@code --ca-key}). */
  public static CertificateAuthority load(
      Path certificate, Path key, Clock clock, SecureRandom random) throws IOException {
    List<X509Certificate> certificates = PemFiles.readCertificates(certificate);
    if (certificates.isEmpty()) {
      throw new IllegalStateException("no certificate in " + certificate);
    }
    try {
      return CertificateAuthority.of(
          new IssuedCertificate(certificates.get(0), PemFiles.readPrivateKey(key)), clock, random);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(certificate + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  public CertificateAuthority ca() {
    return ca;
  }

  public Path caCertificateFile() {
    return dir.resolve(CA_CERTIFICATE);
  }

  /** The pin agents check before they enrol ({@link CaHash}). */
  public String caHash() {
    return CaHash.of(ca.certificate().certificate());
  }
}
