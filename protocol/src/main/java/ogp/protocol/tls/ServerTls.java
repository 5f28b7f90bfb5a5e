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
 * With {@code clientCertificateOptional} a client CA still verifies every certificate that is
 * presented, but a connection without one is let through the TLS handshake: that is how an agent
 * that has no certificate yet enrols ({@code ogp agent enroll}); what such a connection may do is
 * the agent server's decision, not TLS's.
 *
 * @param certificate the server's certificate chain (PEM), leaf first
 * @param privateKey the server's PKCS#8 private key (PEM, unencrypted)
 * @param clientCa the CA that signs agent certificates, or empty for server-only TLS
 * @param clientCertificateOptional with a client CA: whether a client may also connect without a
 *     certificate (Netty's {@code ClientAuth.OPTIONAL} instead of {@code REQUIRE})
 */
public record ServerTls(
    Path certificate, Path privateKey, Optional<Path> clientCa, boolean clientCertificateOptional) {
  public ServerTls {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(clientCa, "clientCa");
    if (clientCertificateOptional && clientCa.isEmpty()) {
      throw new IllegalArgumentException(
          "optional client certificates need a client CA to verify the ones that are presented");
    }
  }

  /** Client certificates required when a client CA is given. */
  public ServerTls(Path certificate, Path privateKey, Optional<Path> clientCa) {
    this(certificate, privateKey, clientCa, false);
  }

  /**
   * TLS for a server that enrols agents: certificates from {@code clientCa} are verified when
   * presented, and a connection without one may still enrol.
   */
  public static ServerTls enrolling(Path certificate, Path privateKey, Path clientCa) {
    return new ServerTls(certificate, privateKey, Optional.of(clientCa), true);
  }

  /** True when agents must present a client certificate. */
  public boolean mutual() {
    return clientCa.isPresent();
  }
}
