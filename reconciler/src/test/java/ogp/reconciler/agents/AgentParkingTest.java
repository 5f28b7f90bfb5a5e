package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Redirect;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A standby's agent port holds ("parks") agents while the leader's agent port does not accept
 * connections, over real sockets: a leader address nobody listens on, then a real listener or a
 * real {@link AgentServer} on it.
 */
class AgentParkingTest {
  /** Long enough never to end a test's wait by itself, unless the test is about the bound. */
  private static final Parking LONG = Parking.DEFAULT.withBound(Duration.ofSeconds(30));

  /**
   * How soon after the leader's port accepts a parked agent must have its Redirect: one probe
   * interval (200 ms) and a loopback connect, with room for a busy two-core machine (measured here:
   * 78–136 ms).
   */
  private static final long RELEASE_DEADLINE_MILLIS = 400;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final AtomicReference<Optional<LeaderRedirect>> leader =
      new AtomicReference<>(Optional.empty());
  private final ParkedAgentCounts counts = new ParkedAgentCounts();
  private final AtomicBoolean elected = new AtomicBoolean();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private EventLoopGroup group;

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    logged.start();
    root.addAppender(logged);
  }

  @AfterEach
  void stop() throws Exception {
    root.detachAppender(logged);
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void anAgentIsHeldWhileTheLeadersPortRefusesAndRedirectedSoonAfterItAccepts() throws Exception {
    int leaderPort = freePort();
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + leaderPort, 12)));
    RedirectingAgentPort port = port(LONG);

    RawAgent agent = helloFrom(port);
    holdsUnanswered(agent, Duration.ofSeconds(1));
    assertEquals(1, port.parked());
    assertEquals(1, counts.parkedNow());

    long opened = System.nanoTime();
    track(listen(leaderPort));
    await("redirected")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> agent.received(Envelope::hasRedirect));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);

    assertTrue(
        millis <= RELEASE_DEADLINE_MILLIS, "redirected " + millis + " ms after the port opened");
    Redirect redirect = agent.received.get(0).getRedirect();
    assertEquals("127.0.0.1:" + leaderPort, redirect.getAgentAddress());
    assertEquals(12, redirect.getEpoch());
    assertTrue(agent.closesWithin(5), "closed after the answer");
    assertEquals(1, counts.redirectedAfterWait());
    assertEquals(0, counts.timedOut());
    await("nothing held").until(() -> port.unanswered() == 0 && counts.parkedNow() == 0);
    assertEquals(1, port.redirected());
  }

  @Test
  void aLeaderWhosePortAnswersGetsAgentsRedirectedAtOnceAndTheNextOnesWithoutParking()
      throws Exception {
    ServerSocket leaderPort = track(listen(0));
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + leaderPort.getLocalPort(), 3)));
    RedirectingAgentPort port = port(LONG);

    RawAgent first = helloFrom(port);
    assertTrue(first.closesWithin(5), "answered after one probe");
    assertTrue(first.received(Envelope::hasRedirect));
    long parkedForTheFirst = counts.parked();

    // Within the freshness of that probe (1 s), the next agents are not parked at all.
    RawAgent second = helloFrom(port);
    assertTrue(second.closesWithin(5));
    assertEquals(3, second.received.get(0).getRedirect().getEpoch());
    assertTrue(parkedForTheFirst <= 1, "at most the first waited for a probe");
    assertEquals(parkedForTheFirst, counts.parked(), "the second was redirected without parking");
    assertEquals(2, port.redirected());
  }

  @Test
  void parkedAgentsFollowTheLeaderThatAnswersWhenTheLeaderChanges() throws Exception {
    // The dead leader is still known (its lease lives on); then another is elected and listens.
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + freePort(), 7)));
    RedirectingAgentPort port = port(LONG);
    RawAgent agent = helloFrom(port);
    holdsUnanswered(agent, Duration.ofMillis(600));

    ServerSocket next = track(listen(0));
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + next.getLocalPort(), 9)));

    assertTrue(agent.closesWithin(5));
    Redirect redirect = agent.received.get(0).getRedirect();
    assertEquals("127.0.0.1:" + next.getLocalPort(), redirect.getAgentAddress());
    assertEquals(9, redirect.getEpoch());
  }

  @Test
  void oneInfoLineTellsABatchOfParkedAgentsRedirected() throws Exception {
    int leaderPort = freePort();
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + leaderPort, 4)));
    RedirectingAgentPort port = port(LONG);
    List<RawAgent> agents = new ArrayList<>();
    for (int i = 0; i < 3; i++) agents.add(helloFrom(port));
    await("all three parked").until(() -> port.parked() == 3);

    track(listen(leaderPort));

    for (RawAgent agent : agents) assertTrue(agent.closesWithin(5));
    assertEquals(3, counts.redirectedAfterWait());
    // The line follows the batch's answers: the agents may see theirs first.
    await("the batch's INFO line").until(() -> !messages(ParkedAgents.class, Level.INFO).isEmpty());
    List<String> lines = messages(ParkedAgents.class, Level.INFO);
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(
        lines
            .get(0)
            .matches("redirected 3 parked agent\\(s\\) to \"127.0.0.1:\\d+\" .*after \\d+ ms"),
        lines.get(0));
  }

  @Test
  void overTheCapANewAgentIsToldNotLeaderAtOnce() throws Exception {
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + freePort(), 5)));
    RedirectingAgentPort port = port(LONG.withCap(2));
    RawAgent one = helloFrom(port);
    RawAgent two = helloFrom(port);
    await("two parked").until(() -> port.parked() == 2);

    RawAgent third = helloFrom(port);

    assertTrue(third.closesWithin(5), "answered at once");
    Refusal refusal = third.refusal().orElseThrow();
    assertEquals(Refusal.Code.NOT_LEADER, refusal.getCode());
    assertTrue(refusal.getReason().contains("try another server"), refusal.getReason());
    assertEquals(1, counts.refusedOverCap());
    assertTrue(one.channel.isActive() && two.channel.isActive(), "the parked ones still wait");
    assertTrue(one.received.isEmpty() && two.received.isEmpty());
  }

  @Test
  void atTheBoundAParkedAgentIsRedirectedToTheLeaderKnownThenEvenIfItDidNotAnswer()
      throws Exception {
    // The leader may answer agents where it does not answer this replica (another network).
    String unanswering = "127.0.0.1:" + freePort();
    leader.set(Optional.of(new LeaderRedirect(unanswering, 8)));
    RedirectingAgentPort port = port(Parking.DEFAULT.withBound(Duration.ofMillis(700)));

    long parkedAt = System.nanoTime();
    RawAgent agent = helloFrom(port);

    assertTrue(agent.closesWithin(5));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parkedAt);
    assertTrue(millis >= 600, "held until the bound, answered after " + millis + " ms");
    assertEquals(unanswering, agent.received.get(0).getRedirect().getAgentAddress());
    assertEquals(1, counts.timedOut());
    assertEquals(0, counts.redirectedAfterWait());
    // The line follows the batch's answers: the agent may see its answer first.
    await("one INFO line for the batch")
        .until(
            () ->
                messages(ParkedAgents.class, Level.INFO).stream()
                    .anyMatch(
                        m -> m.startsWith("answered 1 parked agent(s) after the 700 ms bound")));
  }

  @Test
  void atTheBoundAParkedAgentIsToldNotLeaderWhenNoLeaderIsKnownAnyMore() throws Exception {
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + freePort(), 8)));
    RedirectingAgentPort port = port(Parking.DEFAULT.withBound(Duration.ofMillis(600)));
    RawAgent agent = helloFrom(port);
    await("parked").until(() -> port.parked() == 1);

    leader.set(Optional.empty()); // its lease expired, no successor yet

    assertTrue(agent.closesWithin(5));
    assertEquals(Refusal.Code.NOT_LEADER, agent.refusal().orElseThrow().getCode());
    assertEquals(1, counts.timedOut());
    assertEquals(1, port.refusedWithoutLeader());
  }

  @Test
  void withoutAKnownLeaderAnAgentIsToldNotLeaderAtOnceUnlessThisReplicaWasElected()
      throws Exception {
    RedirectingAgentPort port = port(LONG);

    RawAgent agent = helloFrom(port);
    assertTrue(agent.closesWithin(5), "answered at once: the agent finds a leader sooner itself");
    assertEquals(Refusal.Code.NOT_LEADER, agent.refusal().orElseThrow().getCode());
    assertEquals(0, counts.parked());

    elected.set(true); // elected, its server not started: nobody named, the agent waits
    RawAgent waiting = helloFrom(port);
    holdsUnanswered(waiting, Duration.ofMillis(500));
    assertEquals(1, port.parked());
  }

  @Test
  void electionHandOverKeepsParkedAgentsFreesThePortAndRedirectsThemToTheServerThatBindsIt()
      throws Exception {
    // Elected: the replica's own address is named only once its port stopped accepting (before
    // that a probe of it would reach this very port); until then nobody is named.
    elected.set(true);
    RedirectingAgentPort port = port(LONG);
    RawAgent agent = helloFrom(port);
    await("parked").until(() -> port.parked() == 1);

    port.stopAccepting();
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + port.port(), 21)));

    holdsUnanswered(agent, Duration.ofMillis(600));
    AgentServer server =
        track(
            AgentServer.builder(SecretToken.of("t"), new RecordingListener())
                .bind("127.0.0.1", port.port())
                .start());
    assertEquals(port.port(), server.port(), "the port was bindable at once");

    assertTrue(agent.closesWithin(5), "redirected once the server listens");
    Redirect redirect = agent.received.get(0).getRedirect();
    assertEquals("127.0.0.1:" + port.port(), redirect.getAgentAddress());
    assertEquals(21, redirect.getEpoch());
    await("the port holds nothing").until(() -> port.unanswered() == 0);

    // New agents reach the server itself, not the standby's port.
    RawAgent next = track(RawAgent.connect(group, server.port()));
    next.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "t")).build());
    await("welcomed by the server").until(next::welcomed);
    assertEquals(1, port.redirected());
  }

  @Test
  void closingThePortClosesParkedConnectionsAndCountsThem() throws Exception {
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + freePort(), 2)));
    RedirectingAgentPort port = port(LONG);
    RawAgent agent = helloFrom(port);
    await("parked").until(() -> port.parked() == 1);

    port.close();

    assertTrue(agent.closesWithin(5));
    assertTrue(agent.received.isEmpty());
    await("counted as closed").until(() -> counts.closed() == 1 && counts.parkedNow() == 0);
  }

  @Test
  void probesOfATlsLeaderLeaveNoWarningInItsLog() throws Exception {
    EnrollingServer tlsLeader =
        track(new EnrollingServer(dir.resolve("leader"), Clock.systemUTC(), Duration.ofDays(30)));
    leader.set(Optional.of(new LeaderRedirect("127.0.0.1:" + tlsLeader.port(), 6)));
    RedirectingAgentPort port =
        port(
            LONG,
            TlsContexts.server(EnrollingServer.serverTls(dir.resolve("standby"), tlsLeader.ca)));

    RawAgent agent =
        track(
            RawAgent.connect(
                group,
                "localhost",
                port.port(),
                TlsContexts.agent(
                    ogp.protocol.tls.AgentTls.verifyingServer(
                        dir.resolve("leader").resolve("ca.crt")))));
    assertTrue(agent.handshakeSucceeds());
    agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "t")).build());
    assertTrue(agent.closesWithin(10));
    assertTrue(agent.received(Envelope::hasRedirect));
    // The probe's connection has reached the leader and closed: its place there is free again.
    await("the leader holds no probe").until(() -> tlsLeader.agents.pendingHandshakes() == 0);

    List<String> warnings = new ArrayList<>();
    synchronized (logged) {
      for (ILoggingEvent e : logged.list)
        if (e.getLevel().isGreaterOrEqual(Level.WARN))
          warnings.add(e.getLoggerName() + ": " + e.getFormattedMessage());
    }
    assertEquals(List.of(), warnings);
  }

  // --- helpers ----------------------------------------------------------------------------------

  private RedirectingAgentPort port(Parking parking) throws InterruptedException {
    return port(parking, null);
  }

  private RedirectingAgentPort port(Parking parking, io.netty.handler.ssl.SslContext tls)
      throws InterruptedException {
    return track(
        RedirectingAgentPort.start(
            "127.0.0.1", 0, tls, leader::get, elected::get, parking, counts));
  }

  private RawAgent helloFrom(RedirectingAgentPort port) throws InterruptedException {
    RawAgent agent = track(RawAgent.connect(group, port.port()));
    return agent.send(Envelope.newBuilder().setHello(RawAgent.hello("h1", "t")).build());
  }

  /** The connection stays open and gets nothing for {@code time}. */
  private static void holdsUnanswered(RawAgent agent, Duration time) {
    await("held unanswered")
        .during(time)
        .atMost(time.plusSeconds(2))
        .until(() -> agent.channel.isActive() && agent.received.isEmpty());
  }

  /** A loopback port nobody listens on (connects to it are refused). */
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A real listening socket: the kernel accepts connections, which is all a probe asks. */
  private static ServerSocket listen(int port) throws Exception {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    return s;
  }

  private List<String> messages(Class<?> from, Level level) {
    synchronized (logged) {
      return logged.list.stream()
          .filter(e -> e.getLoggerName().equals(from.getName()) && e.getLevel() == level)
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }
}
