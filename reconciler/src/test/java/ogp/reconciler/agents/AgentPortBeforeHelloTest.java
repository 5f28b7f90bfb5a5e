package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a stranger can do to the agent port before it has shown the join token, over real sockets:
 * it cannot make the server buffer a big frame, hold more than a few handshakes open from one
 * address, or write raw control characters or huge lines into the server's log.
 */
class AgentPortBeforeHelloTest {
  private static final String TOKEN = "before-hello-token";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private EventLoopGroup group;

  @BeforeEach
  void start() {
    logged.start();
    root.addAppender(logged);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    root.detachAppender(logged);
  }

  @Test
  void aOneMebibyteFrameBeforeTheHelloClosesTheConnectionWithoutWaitingForItsBody()
      throws Exception {
    // A Hello timeout far beyond the deadline below, so that only the frame limit can close it
    // within that deadline (a busy machine may take seconds to get to the connection).
    AgentServer server = server("127.0.0.1", HELLO_TIMEOUT_BEYOND_DEADLINES);
    // The length prefix of a 1 MiB frame and a few bytes of it: a server that accepted such a
    // frame would wait (and buffer) until the rest arrives or the Hello timeout ends it.
    byte[] prefix = {(byte) 0x80, (byte) 0x80, 0x40, 0x0a, 0x01, 0x02};
    RawAgent big = connect("127.0.0.1", server.port()).sendBytes(prefix);

    assertTrue(
        big.closesWithin(CLOSE_DEADLINE_SECONDS), "closed at once, not after the Hello timeout");
    assertFalse(big.welcomed());
    try (RawAgent good =
        connect("127.0.0.1", server.port())
            .send(Envelope.newBuilder().setHello(RawAgent.hello("good", TOKEN)).build())) {
      await("a good agent is still welcomed").until(good::welcomed);
    }
  }

  @Test
  void theSixtyFifthPendingConnectionFromOneAddressIsClosedAtOnceWhileAGoodAgentConnects()
      throws Exception {
    InetAddress address = nonLoopbackAddress().orElse(null);
    assumeTrue(address != null, "needs a non-loopback address (loopback is exempt from the cap)");
    // A long Hello timeout, so that the pending connections stay pending while the test runs.
    AgentServer server = server("0.0.0.0", HELLO_TIMEOUT_BEYOND_DEADLINES);
    String host = address.getHostAddress();
    List<RawAgent> pending = new ArrayList<>();
    for (int i = 0; i < PendingHandshakes.DEFAULT_PER_ADDRESS; i++) {
      pending.add(connect(host, server.port()));
    }
    // Netty admits accepted connections on several event loops, in no fixed order: wait until
    // the server holds all of them before the one too many, so that it is the one refused.
    await("the server holds every pending connection")
        .until(() -> server.pendingHandshakes() == PendingHandshakes.DEFAULT_PER_ADDRESS);
    RawAgent oneTooMany = connect(host, server.port());

    assertTrue(
        oneTooMany.closesWithin(CLOSE_DEADLINE_SECONDS),
        "the connection over the cap is closed at once, not by the Hello timeout");
    assertTrue(pending.get(0).channel.isOpen(), "the ones under the cap stay until their timeout");
    try (RawAgent good =
        connect("127.0.0.1", server.port())
            .send(Envelope.newBuilder().setHello(RawAgent.hello("good", TOKEN)).build())) {
      await("a good agent is still welcomed").until(good::welcomed);
    }
    // A pending connection that says Hello frees its place: the next one is admitted again.
    pending.get(1).send(Envelope.newBuilder().setHello(RawAgent.hello("late", TOKEN)).build());
    await("the pending agent is welcomed").until(pending.get(1)::welcomed);
    RawAgent admitted = connect(host, server.port());
    admitted.send(Envelope.newBuilder().setHello(RawAgent.hello("admitted", TOKEN)).build());
    await("a place freed by a Welcome is given to the next").until(admitted::welcomed);
  }

  @Test
  void aHostIdWithLineBreaksIsLoggedEscapedOnOneBoundedLine() throws Exception {
    AgentServer server = server("127.0.0.1");
    String forged = "db-1\r\n2026-01-01 INFO agent host id 'admin' connected" + "x".repeat(6000);
    Hello hello = RawAgent.hello("good", TOKEN).toBuilder().setHostId(forged).build();
    try (RawAgent evil =
        connect("127.0.0.1", server.port()).send(Envelope.newBuilder().setHello(hello).build())) {
      assertTrue(evil.closesWithin(5));
      assertEquals(Refusal.Code.INVALID_HOST_ID, evil.refusal().orElseThrow().getCode());
    }

    List<String> lines = messagesContaining("db-1");
    assertFalse(lines.isEmpty(), "the refusal is logged");
    for (String line : lines) {
      assertFalse(line.contains("\r") || line.contains("\n"), line);
      assertTrue(line.contains("db-1\\u000d\\u000a"), line);
      assertTrue(line.length() < 2000, "bounded: " + line.length() + " characters");
    }
  }

  @Test
  void closingTheServerClosesEveryConnectionItAcceptedAlsoOneAcceptedAsItCloses() throws Exception {
    // A leader that is deposed or stopped closes its agent port: an agent that connected a moment
    // before must see the close and try the next replica, not wait out its Welcome timeout. 20
    // rounds, as the race (a connection registered after the event loop closed its channels) hit
    // about one in five.
    for (int round = 0; round < 20; round++) {
      AgentServer server = server("127.0.0.1", HELLO_TIMEOUT_BEYOND_DEADLINES);
      RawAgent agent = connect("127.0.0.1", server.port());

      server.close();

      assertTrue(agent.closesWithin(5), "round " + round + ": the connection was closed");
      assertFalse(agent.welcomed());
    }
  }

  /**
   * How long a close "at once" may take to be seen on a busy two-core machine: far below {@link
   * #HELLO_TIMEOUT_BEYOND_DEADLINES}, so a close within it is not the timeout's.
   */
  private static final long CLOSE_DEADLINE_SECONDS = 10;

  private static final Duration HELLO_TIMEOUT_BEYOND_DEADLINES = Duration.ofSeconds(60);

  private AgentServer server(String bind) throws InterruptedException {
    return server(bind, Duration.ofSeconds(3));
  }

  private AgentServer server(String bind, Duration helloTimeout) throws InterruptedException {
    AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), new RecordingListener())
            .bind(bind, 0)
            .helloTimeout(helloTimeout)
            // Long enough that the reader-idle close (three intervals) never ends a pending
            // connection while a test runs: only the caps and the Hello timeout may.
            .heartbeatInterval(Duration.ofSeconds(60))
            .start();
    toClose.add(server);
    return server;
  }

  private RawAgent connect(String host, int port) throws InterruptedException {
    RawAgent agent = RawAgent.connect(group, host, port, null);
    toClose.add(agent);
    return agent;
  }

  private List<String> messagesContaining(String text) {
    synchronized (logged) {
      return logged.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(text))
          .toList();
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    return NetworkInterface.networkInterfaces()
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .findFirst();
  }
}
