package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.ServerTls;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS on the agent link, with certificates made by the code behind {@code ogp
 * certs}.
 */
class TlsLinkTest {
  private static final String TOKEN = "tls-test-token";

  @TempDir Path dir;
  private TestPki pki;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();
  private EventLoopGroup group;

  @BeforeEach
  void setUp() {
    pki = new TestPki(dir);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void agentVerifyingTheServerCertificateIsWelcomedOverTls() throws Exception {
    TestPki.Files server = pki.server("server", "localhost", "127.0.0.1");
    AgentServer agents =
        server(new ServerTls(server.certificate(), server.privateKey(), Optional.empty()));

    AgentLink link =
        link(agents.port(), "localhost", "h1", AgentTls.verifyingServer(pki.caCertificate()));

    await("welcomed over TLS").until(link::isConnected);
    await("registered").until(() -> agents.host("h1").map(HostRecord::connected).orElse(false));
  }

  @Test
  void agentRefusesAServerWhoseCertificateNamesAnotherHost() throws Exception {
    // Signed by the right CA, but for another name: chain validation alone would accept it.
    TestPki.Files other = pki.server("other", "other.example.com");
    AgentServer agents =
        server(new ServerTls(other.certificate(), other.privateKey(), Optional.empty()));

    try (RawAgent agent =
        RawAgent.connect(
            group,
            "localhost",
            agents.port(),
            agentContext(AgentTls.verifyingServer(pki.caCertificate())))) {
      Throwable failure = agent.handshakeFailure().orElseThrow();
      assertTrue(
          String.valueOf(failure).contains("localhost")
              || String.valueOf(failure).contains("No name matching"),
          failure.toString());
    }
    assertTrue(agents.hosts().isEmpty());
  }

  @Test
  void agentRefusesAServerSignedByAnotherCa() throws Exception {
    TestPki stranger = new TestPki(dir.resolve("stranger"));
    TestPki.Files server = stranger.server("server", "localhost");
    AgentServer agents =
        server(new ServerTls(server.certificate(), server.privateKey(), Optional.empty()));

    try (RawAgent agent =
        RawAgent.connect(
            group,
            "localhost",
            agents.port(),
            agentContext(AgentTls.verifyingServer(pki.caCertificate())))) {
      assertFalse(agent.handshakeSucceeds());
    }
  }

  @Test
  void mutualTlsWelcomesAnAgentWhoseCertificateNamesItsHostId() throws Exception {
    AgentServer agents = mutualServer();
    TestPki.Files h1 = pki.agent("agent-h1", "h1");

    AgentLink link =
        link(
            agents.port(),
            "localhost",
            "h1",
            new AgentTls(
                pki.caCertificate(), Optional.of(h1.certificate()), Optional.of(h1.privateKey())));

    await("welcomed over mutual TLS").until(link::isConnected);
    await("registered").until(() -> agents.host("h1").map(HostRecord::connected).orElse(false));
  }

  @Test
  void mutualTlsRefusesAHelloClaimingAnotherHostThanTheCertificate() throws Exception {
    AgentServer agents = mutualServer();
    TestPki.Files h1 = pki.agent("agent-h1", "h1");
    SslContext asH1 =
        agentContext(
            new AgentTls(
                pki.caCertificate(), Optional.of(h1.certificate()), Optional.of(h1.privateKey())));

    try (RawAgent agent = RawAgent.connect(group, "localhost", agents.port(), asH1)) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h2", TOKEN)).build());
      assertTrue(agent.closesWithin(10));
      Refusal refusal = agent.refusal().orElseThrow();
      assertEquals(Refusal.Code.IDENTITY_MISMATCH, refusal.getCode());
      assertTrue(refusal.getReason().contains("'h2'"), refusal.getReason());
      assertFalse(agent.welcomed());
    }
    assertTrue(agents.host("h2").isEmpty());
  }

  @Test
  void underMutualTlsTheCertificateKeyIsTheIdentityAnotherCertificateForTheSameHostIsRefused()
      throws Exception {
    AgentServer agents = mutualServer();
    TestPki.Files first = pki.agent("agent-h1", "h1");
    TestPki.Files second = pki.agent("agent-h1-again", "h1"); // same name, another key
    try (RawAgent holder =
        RawAgent.connect(group, "localhost", agents.port(), asAgent(first))
            .send(Envelope.newBuilder().setHello(RawAgent.hello("h1", TOKEN)).build())) {
      await("the first certificate binds h1").until(holder::welcomed);

      // The host key in the Hello does not matter under mutual TLS: the certificate's key does.
      try (RawAgent other =
          RawAgent.connect(group, "localhost", agents.port(), asAgent(second))
              .send(Envelope.newBuilder().setHello(RawAgent.hello("h1", TOKEN)).build())) {
        assertTrue(other.closesWithin(10));
        assertEquals(Refusal.Code.IDENTITY_MISMATCH, other.refusal().orElseThrow().getCode());
      }
      assertTrue(holder.channel.isOpen(), "the holder keeps its session");
      // The same certificate again (a reconnect) is the same identity, whatever host key it sends.
      try (RawAgent again =
          RawAgent.connect(group, "localhost", agents.port(), asAgent(first))
              .send(
                  Envelope.newBuilder()
                      .setHello(RawAgent.hello("h1", TOKEN, RawAgent.key("another key")))
                      .build())) {
        await("the same certificate is welcomed").until(again::welcomed);
      }
    }
  }

  private SslContext asAgent(TestPki.Files files) {
    return agentContext(
        new AgentTls(
            pki.caCertificate(),
            Optional.of(files.certificate()),
            Optional.of(files.privateKey())));
  }

  @Test
  void mutualTlsClosesAConnectionWithoutAClientCertificate() throws Exception {
    AgentServer agents = mutualServer();

    try (RawAgent agent =
        RawAgent.connect(
            group,
            "localhost",
            agents.port(),
            agentContext(AgentTls.verifyingServer(pki.caCertificate())))) {
      // Under TLS 1.3 the client may finish its side before the server refuses: the proof is
      // that the server closes without ever welcoming.
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", TOKEN)).build());
      assertTrue(agent.closesWithin(10));
      assertFalse(agent.welcomed());
    } catch (io.netty.channel.ChannelException | IllegalStateException closedEarly) {
      // The handshake failed before the Hello could even be written: also a refusal.
    }
    assertTrue(agents.host("h1").isEmpty());
  }

  private AgentServer mutualServer() throws InterruptedException {
    TestPki.Files server = pki.server("server", "localhost", "127.0.0.1");
    return server(
        new ServerTls(server.certificate(), server.privateKey(), Optional.of(pki.caCertificate())));
  }

  private static SslContext agentContext(AgentTls tls) {
    return TlsContexts.agent(tls);
  }

  private AgentServer server(ServerTls tls) throws InterruptedException {
    AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), listener)
            .bind("127.0.0.1", 0)
            // A cold TLS handshake on a busy machine can take longer than a few short heartbeat
            // intervals, and the reader-idle limit (3 intervals) starts before the handshake.
            .heartbeatInterval(Duration.ofSeconds(1))
            .tls(TlsContexts.server(tls))
            .start();
    toClose.add(server);
    return server;
  }

  private AgentLink link(int port, String serverHost, String hostId, AgentTls tls) {
    AgentLink link =
        AgentLink.builder(
                serverHost, port, new AgentIdentity(hostId, Map.of(), "test", "27.0"), a -> {})
            .joinToken(TOKEN)
            .tls(TlsContexts.agent(tls))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
            .start();
    toClose.add(link);
    return link;
  }
}
