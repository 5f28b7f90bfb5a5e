package ogp.agent.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import ogp.protocol.tls.CaHash;

/**
 * Trusts a server only through the CA its pin names ({@code --ca-hash}), as {@code kubeadm join}
 * does: no certificate is accepted on first use without the pin.
 *
 * <p>Policy: the server's presented chain must contain a certificate whose {@link CaHash} equals
 * the pin; then the server's certificate must chain to that certificate with PKIX, with it as the
 * only trust anchor (never the JDK's public CAs), and must name the host dialled (HTTPS endpoint
 * identification, set on the socket). Otherwise the handshake fails before anything is sent, and
 * {@link #failure()} says why in one sentence, naming the expected and seen pins. The CA it
 * accepted is {@link #pinnedCa()}.
 */
final class PinnedCaTrust extends X509ExtendedTrustManager {
  private final String pin;
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final AtomicReference<X509Certificate> pinnedCa = new AtomicReference<>();

  PinnedCaTrust(String pin) {
    this.pin = pin;
  }

  /** Why the server was refused, if it was. */
  Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** The presented CA certificate whose pin matched, once the server was trusted. */
  Optional<X509Certificate> pinnedCa() {
    return Optional.ofNullable(pinnedCa.get());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    anchored(chain).checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    anchored(chain).checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw refuse("the server's name cannot be checked without a socket");
  }

  /** A PKIX trust manager whose one anchor is the pinned CA from the chain; wraps its errors. */
  private Delegate anchored(X509Certificate[] chain) throws CertificateException {
    List<String> seen = new ArrayList<>();
    X509Certificate ca = null;
    for (X509Certificate certificate : chain == null ? new X509Certificate[0] : chain) {
      String hash = CaHash.of(certificate);
      seen.add(hash);
      if (hash.equals(pin) && ca == null) ca = certificate;
    }
    if (ca == null) {
      throw refuse(
          "the server did not present the CA pinned by --ca-hash: expected "
              + pin
              + ", seen "
              + (seen.isEmpty() ? "no certificate" : String.join(", ", seen))
              + " (a wrong --ca-hash, or someone between this host and the server)");
    }
    X509ExtendedTrustManager pkix = pkix(ca);
    X509Certificate pinned = ca;
    return new Delegate(pkix, pinned);
  }

  private X509ExtendedTrustManager pkix(X509Certificate ca) throws CertificateException {
    try {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(null, null);
      anchors.setCertificateEntry("pinned-ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(anchors);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) return extended;
      }
      throw refuse("this JDK has no PKIX trust manager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw refuse("cannot use the pinned CA: " + e.getMessage());
    }
  }

  private CertificateException refuse(String why) {
    failure.compareAndSet(null, why);
    return new CertificateException(why);
  }

  /** Runs PKIX with endpoint identification and keeps the first failure's sentence. */
  private final class Delegate {
    private final X509ExtendedTrustManager pkix;
    private final X509Certificate ca;

    Delegate(X509ExtendedTrustManager pkix, X509Certificate ca) {
      this.pkix = pkix;
      this.ca = ca;
    }

    void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        pkix.checkServerTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        throw refuse(why(e));
      }
      pinnedCa.set(ca);
    }

    void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      try {
        pkix.checkServerTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        throw refuse(why(e));
      }
      pinnedCa.set(ca);
    }

    private String why(CertificateException e) {
      return "the server presented the pinned CA "
          + pin
          + ", but its own certificate does not chain to it or does not name the host dialled: "
          + e.getMessage();
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("an enrolling agent trusts no clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("an enrolling agent trusts no clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("an enrolling agent trusts no clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
