package ogp.protocol.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The PEM files of an agent's end of the link.
 *
 * <p>Policy: the server's certificate must be signed by {@code ca} and name the host the agent
 * dials (a DNS or IP subject alternative name); a client certificate is presented only when both
 * its files are given, as a server with a client CA requires.
 *
 * @param ca the CA certificate (PEM) that signed the server's certificate
 * @param certificate this agent's certificate (PEM), or empty
 * @param privateKey this agent's PKCS#8 private key (PEM, unencrypted), or empty
 */
public record AgentTls(Path ca, Optional<Path> certificate, Optional<Path> privateKey) {
  public AgentTls {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    if (certificate.isPresent() != privateKey.isPresent()) {
      throw new IllegalArgumentException(
          "an agent certificate needs its private key and the other way round: certificate "
              + certificate.map(Path::toString).orElse("missing")
              + ", key "
              + privateKey.map(Path::toString).orElse("missing"));
    }
  }

  /** Server verification only, no client certificate. */
  public static AgentTls verifyingServer(Path ca) {
    return new AgentTls(ca, Optional.empty(), Optional.empty());
  }
}
