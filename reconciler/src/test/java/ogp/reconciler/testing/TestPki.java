package ogp.reconciler.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.IssuedCertificate;
import ogp.reconciler.pki.PemFiles;

/**
 * A CA and certificates as PEM files in a test's directory, made with the same code as {@code ogp
 * certs}: {@code ca.crt}, {@code <name>.crt} and {@code <name>.key}.
 */
public final class TestPki {
  private final Path dir;
  private final CertificateAuthority ca;

  public TestPki(Path dir) {
    this.dir = dir;
    this.ca = CertificateAuthority.create("test-ca", Clock.systemUTC(), new SecureRandom());
    write("ca", ca.certificate());
  }

  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** Server certificate files named {@code file}, for the DNS name and IP addresses given. */
  public Files server(String file, String dnsName, String... ips) {
    return write(file, ca.issueServer(dnsName, List.of(ips)));
  }

  /** Agent certificate files named {@code file}, for the host id. */
  public Files agent(String file, String hostId) {
    return write(file, ca.issueAgent(hostId));
  }

  /** The certificate and key files of one identity. */
  public record Files(Path certificate, Path privateKey) {}

  private Files write(String name, IssuedCertificate issued) {
    Files files = new Files(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    try {
      PemFiles.writeCertificate(files.certificate(), issued.certificate());
      PemFiles.writePrivateKey(files.privateKey(), issued.privateKey());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
