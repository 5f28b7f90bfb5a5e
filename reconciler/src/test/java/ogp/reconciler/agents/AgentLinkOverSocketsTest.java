package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.FramePipeline;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real agent client against the real server over 127.0.0.1. */
class AgentLinkOverSocketsTest {
  private static final String TOKEN = "socket-test-token";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();
  private final List<Assignment> received = new CopyOnWriteArrayList<>();
  private final Map<String, AgentIdentity> identities = new java.util.HashMap<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void agentIsWelcomedAndItsHeartbeatsAreAcked() throws Exception {
    AgentServer server = server(0, listener);
    AgentLink link = link(server.port(), "h1", Duration.ofMillis(500));

    await("two acked heartbeats").until(() -> link.isConnected() && link.acks() >= 2);
    HostRecord host = server.host("h1").orElseThrow();
    assertTrue(host.connected());
    assertEquals(Map.of("zone", "a"), host.labels());
    assertEquals("27.0", host.dockerVersion());
    assertEquals(List.of("connected:h1"), listener.events);
    assertTrue(
        listener.threads.stream().noneMatch(t -> t.contains("EventLoop")),
        listener.threads.toString());
  }

  @Test
  void assignmentReachesTheHandlerAndReportReachesTheListener() throws Exception {
    AgentServer server = server(0, listener);
    AgentLink link = link(server.port(), "h1", Duration.ofMillis(500));
    await("connected").until(link::isConnected);

    assertTrue(
        server.send("h1", Assignment.newBuilder().setRevision("r1").setGeneration(1).build()));
    assertFalse(server.send("nobody", Assignment.getDefaultInstance()));
    link.report(StatusReport.newBuilder().setRevision("r1").build());

    await("assignment delivered").until(() -> received, received -> received.size() == 1);
    assertEquals("r1", received.get(0).getRevision());
    await("report delivered")
        .until(() -> listener.events, events -> events.contains("report:h1:r1"));
    assertEquals("r1", lastRevision(server, "h1"));
  }

  @Test
  void newerAgentWithTheSameHostIdWinsAndTheHostNeverLooksDisconnected() throws Exception {
    AgentServer server = server(0, listener);
    // The older agent would wait its maximum backoff after SUPERSEDED: 30 s, longer than the test.
    AgentLink older = link(server.port(), "h1", Duration.ofSeconds(30));
    await("older connected").until(older::isConnected);
    AgentLink newer = link(server.port(), "h1", Duration.ofSeconds(30));

    await("older superseded")
        .untilAsserted(
            () ->
                assertTrue(
                    newer.isConnected() && !older.isConnected(),
                    () -> "events: " + listener.events));
    await("both connects seen").until(() -> listener.events, events -> events.size() == 2);
    await("newer heartbeats are acked").until(() -> newer.acks() >= 2);
    assertEquals(List.of("connected:h1", "connected:h1"), listener.events);
    assertTrue(server.host("h1").orElseThrow().connected());
    assertEquals(1, older.sessions());
  }

  @Test
  void agentReconnectsToARestartedServerAndResendsItsLatestReport() throws Exception {
    AgentServer first = server(0, listener);
    int port = first.port();
    AgentLink link = link(port, "h1", Duration.ofMillis(300));
    await("connected").until(link::isConnected);
    link.report(StatusReport.newBuilder().setRevision("r1").build());
    link.report(StatusReport.newBuilder().setRevision("r2").build());
    await("report r2").until(() -> listener.events, events -> events.contains("report:h1:r2"));

    first.close();
    await("link notices").until(() -> !link.isConnected());
    RecordingListener second = new RecordingListener();
    AgentServer restarted = server(port, second);

    await("reconnected").until(() -> link.sessions() == 2 && link.isConnected());
    await("latest report re-sent")
        .until(() -> second.events, events -> events.contains("report:h1:r2"));
    assertEquals("connected:h1", second.events.get(0));
    assertFalse(second.events.contains("report:h1:r1"));
    assertEquals("r2", lastRevision(restarted, "h1"));
  }

  @Test
  void hostIsLostAfterTheGraceAndConnectedAgainWhenItReconnects() throws Exception {
    AgentServer server = server(0, listener);
    AgentLink link = link(server.port(), "h1", Duration.ofMillis(300));
    await("connected").until(link::isConnected);
    link.report(StatusReport.newBuilder().setRevision("r1").build());
    await("report").until(() -> listener.events, events -> events.contains("report:h1:r1"));

    link.close();

    await("lost").until(() -> listener.events, events -> events.contains("lost:h1"));
    assertEquals(
        List.of("connected:h1", "report:h1:r1", "disconnected:h1", "lost:h1"), listener.events);
    HostRecord lost = server.host("h1").orElseThrow();
    assertTrue(lost.lost());
    assertTrue(lost.reportStale());
    assertEquals("r1", lost.lastReport().orElseThrow().getRevision());

    AgentLink again = link(server.port(), "h1", Duration.ofMillis(300));
    await("connected again").until(again::isConnected);
    await("listener told").until(() -> listener.events, events -> events.size() == 5);
    assertEquals("connected:h1", listener.events.get(4));
    assertTrue(server.host("h1").orElseThrow().connected());
    // Still lost only once: heartbeats keep the host alive well past the grace.
    await("acks past the grace").until(() -> again.acks() >= 5);
    assertEquals(1, listener.events.stream().filter("lost:h1"::equals).count());
  }

  @Test
  void silentConnectionIsLostThenClosedByTheServer() throws Exception {
    AgentServer server = server(0, listener);
    EventLoopGroup group = clients();
    Channel silent = rawAgent(group, server.port(), "quiet", new AtomicInteger());
    await("connected").until(() -> listener.events, events -> events.contains("connected:quiet"));

    await("lost").until(() -> listener.events, events -> events.contains("lost:quiet"));
    // The server closes it after three heartbeat intervals without a message.
    assertTrue(silent.closeFuture().await(5, TimeUnit.SECONDS));
    await("disconnected")
        .until(() -> listener.events, events -> events.contains("disconnected:quiet"));
  }

  @Test
  void twoHundredAgentsConnectToOneServer() throws Exception {
    // These bare agents never heartbeat: a long grace keeps them connected while they are counted.
    AgentServer server = server(0, listener, Duration.ofSeconds(20), Duration.ofSeconds(30));
    EventLoopGroup group = clients();
    AtomicInteger welcomed = new AtomicInteger();
    for (int i = 0; i < 200; i++) {
      rawAgent(group, server.port(), "host-" + i, welcomed);
    }

    await("200 welcomed").atMost(Duration.ofSeconds(20)).until(() -> welcomed.get() == 200);
    await("200 registered")
        .until(() -> server.hosts().stream().filter(HostRecord::connected).count() == 200);
    await("200 connects seen").until(() -> listener.events.size() == 200);
  }

  private static String lastRevision(AgentServer server, String hostId) {
    return server.host(hostId).orElseThrow().lastReport().orElseThrow().getRevision();
  }

  private AgentServer server(int port, AgentListener listener) throws InterruptedException {
    return server(port, listener, Duration.ofMillis(100), Duration.ofMillis(300));
  }

  private AgentServer server(
      int port, AgentListener listener, Duration heartbeat, Duration lostGrace)
      throws InterruptedException {
    AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), listener)
            .bind("127.0.0.1", port)
            .heartbeatInterval(heartbeat)
            .lostGrace(lostGrace)
            .start();
    toClose.add(server);
    return server;
  }

  private AgentLink link(int port, String hostId, Duration maxBackoff) {
    AgentLink link =
        AgentLink.builder(
                "127.0.0.1",
                port,
                // One identity per host id: a second link for it is the same agent restarted.
                identities.computeIfAbsent(
                    hostId, id -> new AgentIdentity(id, Map.of("zone", "a"), "test", "27.0")),
                received::add)
            .joinToken(TOKEN)
            .backoff(Duration.ofMillis(20), maxBackoff)
            .start();
    toClose.add(link);
    return link;
  }

  private EventLoopGroup clients() {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());
    return group;
  }

  /** A bare client that says Hello, counts Welcome and then stays silent (no heartbeats). */
  private static Channel rawAgent(
      EventLoopGroup group, int port, String hostId, AtomicInteger welcomed)
      throws InterruptedException {
    Hello hello = RawAgent.hello(hostId, TOKEN);
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                FramePipeline.install(ch.pipeline(), null, 0, 0);
                ch.pipeline()
                    .addLast(
                        new SimpleChannelInboundHandler<Envelope>() {
                          @Override
                          public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Envelope.newBuilder().setHello(hello).build());
                          }

                          @Override
                          protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
                            if (msg.hasWelcome()) {
                              welcomed.incrementAndGet();
                            }
                          }
                        });
              }
            })
        .connect("127.0.0.1", port)
        .sync()
        .channel();
  }
}
