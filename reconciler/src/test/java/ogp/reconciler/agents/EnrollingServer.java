package ogp.reconciler.agents;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import ogp.protocol.tls.CaHash;
import ogp.protocol.tls.ServerTls;
import ogp.protocol.tls.TlsContexts;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.IssuedCertificate;
import ogp.reconciler.pki.PemFiles;

/**
 * An agent server that enrols agents, as {@code ogp server} runs it beyond loopback: its own CA, a
 * server certificate for {@code localhost} and {@code 127.0.0.1} whose chain includes the CA, TLS
 * with optional client certificates verified against the CA, the join tokens of a data dir.
 */
final class EnrollingServer implements AutoCloseable {
  final Path dir;
  final CertificateAuthority ca;
  final TokenStore tokens;
  final HostBindings bindings = HostBindings.inMemory();
  final RecordingListener listener = new RecordingListener();
  final AgentServer agents;

  EnrollingServer(Path dir, Clock clock, Duration agentCertificateLifetime)
      throws IOException, InterruptedException {
    this(
        dir,
        clock,
        agentCertificateLifetime,
        CertificateAuthority.create("test-ca", Clock.systemUTC(), new SecureRandom()));
  }

  EnrollingServer(Path dir, Clock clock, Duration agentCertificateLifetime, CertificateAuthority ca)
      throws IOException, InterruptedException {
    this.dir = dir;
    this.ca = ca;
    Files.createDirectories(dir);
    tokens = TokenStore.open(dir, clock);
    ServerTls tls = serverTls(dir, ca);
    agents =
        AgentServer.builder(tokens.inMemory(), listener)
            .bind("127.0.0.1", 0)
            // A cold TLS handshake on a busy machine can take longer than short heartbeats.
            .heartbeatInterval(Duration.ofSeconds(1))
            .hostBindings(bindings)
            .tls(TlsContexts.server(tls))
            .enrolment(ca, tokens, agentCertificateLifetime)
            .start();
  }

  /** TLS files for a server of {@code ca}: the chain (leaf, then CA), its key and the CA. */
  static ServerTls serverTls(Path dir, CertificateAuthority ca) throws IOException {
    Files.createDirectories(dir);
    IssuedCertificate server = ca.issueServer("localhost", List.of("127.0.0.1"));
    Path leaf = dir.resolve("server-leaf.crt");
    Path caFile = dir.resolve("ca.crt");
    Path chain = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    PemFiles.writeCertificate(leaf, server.certificate());
    PemFiles.writeCertificate(caFile, ca.certificate().certificate());
    Files.writeString(chain, Files.readString(leaf) + Files.readString(caFile));
    PemFiles.writePrivateKey(key, server.privateKey());
    return ServerTls.enrolling(chain, key, caFile);
  }

  X509Certificate caCertificate() {
    return ca.certificate().certificate();
  }

  String caHash() {
    return CaHash.of(caCertificate());
  }

  int port() {
    return agents.port();
  }

  @Override
  public void close() {
    agents.close();
  }
}
