package ogp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import ogp.protocol.tls.ServerTls;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.PemFiles;
import ogp.reconciler.pki.ServerPki;

/**
 * Whether {@code ogp server} enrols agents, decided from its TLS flags and its data dir: it does
 * when its agent link trusts, for client certificates, the CA it holds the key of — the CA in
 * {@code <data-dir>/pki} ({@link ServerPki}: {@code ca.crt} and {@code ca.key}) is the one {@code
 * --tls-client-ca} names. Then client certificates become optional at the TLS layer (an agent
 * without one may enrol; its Hello is refused with TLS_REQUIRED), certificates are issued for
 * {@code --agent-cert-ttl}, and agents are told to dial the server certificate's first DNS name.
 * Otherwise the link is as the flags say and nobody enrols.
 */
final class AgentEnrolmentOptions {
  private AgentEnrolmentOptions() {}

  /** The agent link's TLS and enrolment, or the flags' TLS alone. */
  record Decision(
      Optional<ServerTls> agentTls, Optional<ServerProcess.Settings.Enrolment> enrolment) {}

  static Decision decide(
      Optional<ServerTls> agentTls, Path dataDir, Duration agentCertTtl, String bind)
      throws IOException {
    if (agentTls.isEmpty() || agentTls.get().clientCa().isEmpty()) {
      return new Decision(agentTls, Optional.empty());
    }
    ServerTls tls = agentTls.get();
    Path pki = dataDir.resolve("pki");
    Path caCertificate = pki.resolve(ServerPki.CA_CERTIFICATE);
    Path caKey = pki.resolve(ServerPki.CA_KEY);
    if (!Files.isRegularFile(caCertificate)
        || !Files.isRegularFile(caKey)
        || Files.mismatch(caCertificate, tls.clientCa().get()) != -1) {
      return new Decision(agentTls, Optional.empty());
    }
    CertificateAuthority ca =
        ServerPki.load(caCertificate, caKey, Clock.systemUTC(), new SecureRandom());
    String name =
        firstDnsName(PemFiles.readCertificates(tls.certificate()).get(0))
            .orElse(ServerCommand.displayHost(bind));
    return new Decision(
        Optional.of(ServerTls.enrolling(tls.certificate(), tls.privateKey(), tls.clientCa().get())),
        Optional.of(new ServerProcess.Settings.Enrolment(ca, agentCertTtl, name)));
  }

  private static Optional<String> firstDnsName(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) return Optional.empty();
      return names.stream()
          .filter(n -> Integer.valueOf(2).equals(n.get(0)))
          .map(n -> String.valueOf(n.get(1)))
          .findFirst();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
  }
}
