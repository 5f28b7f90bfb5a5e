package ogp.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import ogp.reconciler.pki.PemFiles;

/**
 * How the client commands trust an HTTPS server: with {@code --ca-file} (or {@code OGP_CA_FILE})
 * only the CA certificates in that file, e.g. a copy of the server's {@code <data-dir>/pki/ca.crt};
 * without it the JDK's public CAs. And what a TLS failure means, in one sentence that says what to
 * do.
 */
final class ServerTrust {
  private ServerTrust() {}

  /**
   * A TLS context that trusts only the certificates of {@code caFile}.
   *
   * @throws CommandFailure (exit 2) when the file holds no readable certificate
   */
  static SSLContext trusting(Path caFile) {
    try {
      List<X509Certificate> certificates = PemFiles.readCertificates(caFile);
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        trusted.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new CommandFailure(
          "--ca-file " + caFile + " is not a readable PEM certificate: " + e.getMessage(), 2);
    } catch (GeneralSecurityException e) {
      throw new CommandFailure("cannot trust --ca-file " + caFile + ": " + e.getMessage(), 2);
    }
  }

  /**
   * The sentence for a request that failed in TLS, or null when {@code failure} is no TLS failure.
   *
   * @param caFile the {@code --ca-file} given, or null
   */
  static String explain(IOException failure, URI server, Path caFile) {
    SSLException tls = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLException e) {
        tls = e;
        break;
      }
    }
    if (tls == null) return null;
    String detail = String.valueOf(tls.getMessage());
    String origin = server.getScheme() + "://" + server.getRawAuthority();
    if (detail.contains("No subject alternative") || detail.contains("No name matching")) {
      return "the server's certificate at "
          + origin
          + " does not name '"
          + server.getHost()
          + "': dial one of the names it has (the server's --server-name)";
    }
    if (detail.contains("PKIX") || detail.contains("unable to find valid certification path")) {
      return caFile == null
          ? "the server's certificate at "
              + origin
              + " is not trusted: give the CA that signed it with --ca-file FILE (or OGP_CA_FILE),"
              + " e.g. a copy of the server's <data-dir>/pki/ca.crt"
          : "the server's certificate at "
              + origin
              + " was not signed by the CA in --ca-file "
              + caFile
              + ": copy the server's <data-dir>/pki/ca.crt (or the CA it was started with)";
    }
    if (detail.contains("nrecognized SSL message")) {
      return "the server at "
          + origin
          + " does not speak HTTPS (a server bound only to loopback serves plain HTTP): use http://";
    }
    return "TLS with " + origin + " failed: " + detail;
  }
}
