package ogp.cli;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import ogp.reconciler.pki.PemFiles;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Serves the HTTP server (API, webhooks, portal, metrics) over HTTPS only, from PEM files.
 *
 * <p>Policy: when HTTPS is on, plain HTTP is off (Javalin adds its default connector only when none
 * was added), on the same port: a plain HTTP request there is answered 400 with the https URL to
 * use ({@link PlainHttpOnHttpsPort}), nothing else; TLS 1.2 and 1.3 with Jetty's default ciphers.
 * The key is read once at start-up into an in-memory key store under a random password that never
 * leaves this process.
 *
 * @param certificate the certificate chain (PEM), leaf first
 * @param privateKey its private key (PEM: PKCS#8, or OpenSSL's PKCS#1/SEC1 forms)
 */
record HttpsConnector(Path certificate, Path privateKey) {
  HttpsConnector {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Adds the HTTPS connector to the configuration; call before the server starts. */
  void install(JavalinConfig config, String host, int port) throws IOException {
    SslContextFactory.Server ssl = sslContextFactory();
    config.jetty.addConnector(
        (server, httpConfig) -> {
          HttpConfiguration https = new HttpConfiguration(httpConfig);
          SecureRequestCustomizer secure = new SecureRequestCustomizer();
          // One certificate and no virtual hosts: clients dialing an IP address send no SNI, and
          // the
          // certificate's own SANs are what they verify.
          secure.setSniHostCheck(false);
          https.addCustomizer(secure);
          SslConnectionFactory tls = new SslConnectionFactory(ssl, "http/1.1");
          ServerConnector connector =
              new ServerConnector(
                  server, new PlainHttpOnHttpsPort(tls), tls, new HttpConnectionFactory(https));
          connector.setHost(host);
          connector.setPort(port);
          return connector;
        });
  }

  private SslContextFactory.Server sslContextFactory() throws IOException {
    List<X509Certificate> chain = PemFiles.readCertificates(certificate);
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = Base64.getEncoder().encodeToString(random);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "ogp",
          PemFiles.readPrivateKey(privateKey),
          password.toCharArray(),
          chain.toArray(X509Certificate[]::new));
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(store);
      ssl.setKeyStorePassword(password);
      ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot use the HTTPS certificate "
              + certificate
              + " with key "
              + privateKey
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
