package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.ServerTls;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.EnrollRequest;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.Redirect;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent port of a replica that does not lead, over real sockets. The leader named here answers
 * on its agent address (a real listening socket), so agents are redirected at once; {@link
 * AgentParkingTest} covers a leader that does not answer yet.
 */
class RedirectingAgentPortTest {
  /** A close "at once" on a busy two-core machine; far below the long hello timeout used. */
  private static final long CLOSE_DEADLINE_SECONDS = 10;

  private static final Duration LONG_HELLO_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final AtomicReference<Optional<LeaderRedirect>> leader =
      new AtomicReference<>(Optional.empty());
  private EventLoopGroup group;
  private ServerSocket leaderPort;
  private String leaderAddress;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // The leader's agent port: the kernel accepts the port's probes, which is all they ask.
    leaderPort = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    toClose.add(leaderPort);
    leaderAddress = "127.0.0.1:" + leaderPort.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void aHelloIsAnsweredWithARedirectToTheLeaderAndTheConnectionCloses() throws Exception {
    leader.set(Optional.of(new LeaderRedirect(leaderAddress, 42)));
    RedirectingAgentPort port = port(null);

    RawAgent agent = connect(port.port(), null);
    agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "any-token")).build());

    assertTrue(agent.closesWithin(CLOSE_DEADLINE_SECONDS), "closed after the answer");
    assertEquals(1, agent.received.size(), agent.received.toString());
    Redirect redirect = agent.received.get(0).getRedirect();
    assertEquals(leaderAddress, redirect.getAgentAddress());
    assertEquals(42, redirect.getEpoch());
    assertEquals(1, port.redirected());
  }

  @Test
  void anEnrolmentRequestIsRedirectedToo() throws Exception {
    leader.set(Optional.of(new LeaderRedirect(leaderAddress, 3)));
    RedirectingAgentPort port = port(null);

    RawAgent agent = connect(port.port(), null);
    agent.send(
        Envelope.newBuilder()
            .setEnrollRequest(EnrollRequest.newBuilder().setHostId("h1").setJoinToken("t"))
            .build());

    assertTrue(agent.closesWithin(CLOSE_DEADLINE_SECONDS));
    assertEquals(leaderAddress, agent.received.get(0).getRedirect().getAgentAddress());
  }

  @Test
  void withoutAKnownLeaderTheAnswerIsNotLeader() throws Exception {
    RedirectingAgentPort port = port(null);

    RawAgent agent = connect(port.port(), null);
    agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "t")).build());

    assertTrue(agent.closesWithin(CLOSE_DEADLINE_SECONDS));
    Refusal refusal = agent.refusal().orElseThrow();
    assertEquals(Refusal.Code.NOT_LEADER, refusal.getCode());
    assertTrue(refusal.getReason().contains("try another server"), refusal.getReason());
    assertFalse(agent.received(Envelope::hasRedirect));
    assertEquals(1, port.refusedWithoutLeader());
  }

  @Test
  void anOversizedFirstFrameClosesTheConnectionWithoutAnAnswerAsTheAgentServerDoes()
      throws Exception {
    leader.set(Optional.of(new LeaderRedirect(leaderAddress, 42)));
    RedirectingAgentPort port = port(null);
    // The length prefix of a 1 MiB frame and a few bytes of it.
    byte[] prefix = {(byte) 0x80, (byte) 0x80, 0x40, 0x0a, 0x01, 0x02};

    RawAgent big = connect(port.port(), null).sendBytes(prefix);

    assertTrue(big.closesWithin(CLOSE_DEADLINE_SECONDS), "closed at once, not by the timeout");
    assertTrue(big.received.isEmpty(), "no redirect for a frame over the handshake limit");
    assertEquals(0, port.redirected());
    // The client may see the close before the server's side has released the place.
    await("its pending place is freed").until(() -> port.pendingHandshakes() == 0);
  }

  @Test
  void aFirstFrameThatIsNoHelloIsAProtocolError() throws Exception {
    leader.set(Optional.of(new LeaderRedirect(leaderAddress, 42)));
    RedirectingAgentPort port = port(null);

    RawAgent agent = connect(port.port(), null);
    agent.send(Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSeq(1)).build());

    assertTrue(agent.closesWithin(CLOSE_DEADLINE_SECONDS));
    assertEquals(Refusal.Code.PROTOCOL_ERROR, agent.refusal().orElseThrow().getCode());
    assertEquals(0, port.redirected());
  }

  @Test
  void aSilentConnectionIsClosedAfterTheHelloTimeout() throws Exception {
    RedirectingAgentPort port =
        track(
            RedirectingAgentPort.start(
                "127.0.0.1", 0, null, leader::get, Duration.ofMillis(300), Parking.DEFAULT));

    RawAgent silent = connect(port.port(), null);

    assertTrue(silent.closesWithin(CLOSE_DEADLINE_SECONDS));
    assertTrue(silent.received.isEmpty());
  }

  @Test
  void closingThePortClosesEveryConnectionItAcceptedAlsoOneAcceptedAsItCloses() throws Exception {
    // A replica that is elected closes its standby port. An agent that connected a moment before
    // must see the close and try the next server, not wait out its 10 s Welcome timeout. The race
    // (a connection registered after the port's event loop closed its channels, then left open
    // for good) hit about one connection in five before the port tracked its connections; 20
    // rounds find it with a chance of about 99 %.
    for (int round = 0; round < 20; round++) {
      RedirectingAgentPort port = port(null);
      RawAgent agent = connect(port.port(), null);

      port.close();

      assertTrue(agent.closesWithin(5), "round " + round + ": the connection was closed");
      assertTrue(agent.received.isEmpty());
    }
  }

  @Test
  void withMutualTlsAnAgentWithoutAClientCertificateIsRedirected() throws Exception {
    TestPki pki = new TestPki(dir);
    TestPki.Files server = pki.server("server", "localhost", "127.0.0.1");
    // The context the leader's agent port uses: client certificates required.
    SslContext mutual =
        TlsContexts.server(
            new ServerTls(
                server.certificate(), server.privateKey(), Optional.of(pki.caCertificate())));
    leader.set(Optional.of(new LeaderRedirect(leaderAddress, 8)));
    RedirectingAgentPort port = port(mutual);

    RawAgent agent =
        connect(port.port(), TlsContexts.agent(AgentTls.verifyingServer(pki.caCertificate())));
    assertTrue(agent.handshakeSucceeds(), "no client certificate asked for");
    agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "t")).build());

    assertTrue(agent.closesWithin(CLOSE_DEADLINE_SECONDS));
    assertEquals(8, agent.received.get(0).getRedirect().getEpoch());
  }

  @Test
  void aPlainClientOnTheTlsPortIsToldTlsIsRequired() throws Exception {
    TestPki pki = new TestPki(dir);
    TestPki.Files server = pki.server("server", "localhost", "127.0.0.1");
    RedirectingAgentPort port =
        port(
            TlsContexts.server(
                new ServerTls(server.certificate(), server.privateKey(), Optional.empty())));

    RawAgent plain = connect(port.port(), null);
    plain.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "t")).build());

    assertTrue(plain.closesWithin(CLOSE_DEADLINE_SECONDS));
    assertEquals(Refusal.Code.TLS_REQUIRED, plain.refusal().orElseThrow().getCode());
  }

  private RedirectingAgentPort port(SslContext tls) throws InterruptedException {
    return track(
        RedirectingAgentPort.start(
            "127.0.0.1", 0, tls, leader::get, LONG_HELLO_TIMEOUT, Parking.DEFAULT));
  }

  private RawAgent connect(int port, SslContext tls) throws InterruptedException {
    return track(RawAgent.connect(group, tls == null ? "127.0.0.1" : "localhost", port, tls));
  }

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }
}
