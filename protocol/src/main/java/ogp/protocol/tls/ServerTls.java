package ogp.protocol.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The PEM files of the server's end of the agent link.
 *
 * <p>Policy: with a client CA, mutual TLS is required: every agent must present a certificate
 * signed by that CA, and the server then also checks that the host id in its Hello is the
 * certificate's CN or one of its DNS names. Without one, agents authenticate by join token only.
 *
 * @param certificate the server's certificate chain (PEM), leaf first
 * @param privateKey the server's PKCS#8 private key (PEM, unencrypted)
 * @param clientCa the CA that signs agent certificates, or empty for server-only TLS
 */
public record ServerTls(Path certificate, Path privateKey, Optional<Path> clientCa) {
  public ServerTls {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(clientCa, "clientCa");
  }

  /** True when agents must present a client certificate. */
  public boolean mutual() {
    return clientCa.isPresent();
  }
}
