package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent port as {@code ogp server} runs it beyond loopback (TLS with optional client
 * certificates, so agents without one can enrol) against clients that speak the other way, and a
 * TLS agent against a plain port. {@link EnrolmentTest} covers the Hellos over TLS.
 */
class SecureAgentPortTest {
  private static final String TOKEN = "secure-port-token";

  @TempDir Path dir;
  private TestPki pki;
  private EventLoopGroup group;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();

  @BeforeEach
  void setUp() {
    pki = new TestPki(dir);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void aPlainTcpHelloOnTheTlsPortIsRefusedWithTlsRequiredInAFrameItCanReadThatSaysHowToEnrol()
      throws Exception {
    EnrollingServer agents = secureServer();

    try (RawAgent plain = RawAgent.connect(group, agents.port())) {
      plain.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", TOKEN)).build());
      assertTrue(plain.closesWithin(10), "closed after the refusal");
      Refusal refusal = plain.refusal().orElseThrow();
      assertEquals(Refusal.Code.TLS_REQUIRED, refusal.getCode());
      assertTrue(refusal.getReason().contains("ogp agent enroll"), refusal.getReason());
    }
    assertTrue(agents.agents.host("h1").isEmpty());
  }

  @Test
  void withOptionalClientCertificatesAPresentedOneIsStillVerifiedAgainstTheCa() throws Exception {
    EnrollingServer agents = secureServer();
    TestPki stranger = new TestPki(dir.resolve("stranger"));
    TestPki.Files forged = stranger.agent("agent-h1", "h1");

    try (RawAgent agent =
        RawAgent.connect(
            group,
            "localhost",
            agents.port(),
            TlsContexts.agent(
                new AgentTls(
                    agents.dir.resolve("ca.crt"), // trusts the real server
                    Optional.of(forged.certificate()),
                    Optional.of(forged.privateKey()))))) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", TOKEN)).build());
      assertTrue(agent.closesWithin(10));
      assertFalse(agent.welcomed());
    } catch (io.netty.channel.ChannelException | IllegalStateException closedEarly) {
      // The handshake failed before the Hello could be written: refused as well.
    }
    assertTrue(agents.agents.host("h1").isEmpty());
  }

  @Test
  void anAgentUsingTlsAgainstAPlainServerSaysSoInOneLogLine() throws Exception {
    AgentServer plain =
        AgentServer.builder(SecretToken.of(TOKEN), listener)
            .bind("127.0.0.1", 0)
            .heartbeatInterval(Duration.ofSeconds(1))
            .start();
    toClose.add(plain);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger linkLog = (Logger) LoggerFactory.getLogger("ogp.agent.link.LinkHandler");
    logged.start();
    linkLog.addAppender(logged);
    toClose.add(() -> linkLog.detachAppender(logged));

    AgentLink link =
        link(plain.port(), "h1", TlsContexts.agent(AgentTls.verifyingServer(pki.caCertificate())));

    await("the agent names the cause")
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                logged.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("does not speak TLS")));
    ILoggingEvent line =
        logged.list.stream()
            .filter(e -> e.getFormattedMessage().contains("does not speak TLS"))
            .findFirst()
            .orElseThrow();
    assertEquals(null, line.getThrowableProxy(), "one line, no stack trace");
    assertFalse(line.getFormattedMessage().contains("\n"));
    assertFalse(link.isConnected());
    assertTrue(plain.host("h1").isEmpty());
  }

  /** As ogp server beyond loopback: client certificates optional (to enrol), a Hello needs one. */
  private EnrollingServer secureServer() throws Exception {
    EnrollingServer server =
        new EnrollingServer(dir.resolve("server"), Clock.systemUTC(), Duration.ofDays(30));
    toClose.add(server);
    return server;
  }

  private AgentLink link(int port, String hostId, SslContext tls) {
    AgentLink link =
        AgentLink.builder(
                "localhost", port, new AgentIdentity(hostId, Map.of(), "test", "27.0"), a -> {})
            .joinToken(TOKEN)
            .tls(tls)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .start();
    toClose.add(link);
    return link;
  }
}
