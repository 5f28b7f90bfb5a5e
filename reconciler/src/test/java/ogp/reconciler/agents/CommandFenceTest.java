package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Welcome;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's side of fencing over real sockets: Welcome and Assignment carry the fence's epoch,
 * and an assignment the fence forbids never reaches the agent.
 */
class CommandFenceTest {
  private static final String TOKEN = "fence-token";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private EventLoopGroup group;

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void welcomeAndAssignmentCarryTheFencesEpoch() throws Exception {
    SettableFence fence = new SettableFence(7, true);
    AgentServer server = server(fence);
    RawAgent agent = welcomed(server, "h1");

    assertEquals(7, welcome(agent).getEpoch());
    assertTrue(server.send("h1", assignment(1)));
    await("assignment arrives").until(() -> assignments(agent).size() == 1);
    assertEquals(7, assignments(agent).get(0).getEpoch());

    fence.epoch = 9; // this replica lost and won again: later frames carry the new epoch
    assertTrue(server.send("h1", assignment(2)));
    await("second assignment").until(() -> assignments(agent).size() == 2);
    assertEquals(9, assignments(agent).get(1).getEpoch());
    assertEquals(0, server.fencedCommands());
  }

  @Test
  void aFencedAssignmentNeverReachesTheAgentIsCountedAndTheNextChangeIsSentOnceTheFenceOpens()
      throws Exception {
    SettableFence fence = new SettableFence(4, true);
    AgentServer server = server(fence);
    RawAgent agent = welcomed(server, "h1");
    assertTrue(server.send("h1", assignment(1)));
    await("first assignment").until(() -> assignments(agent).size() == 1);

    fence.mayCommand = false;
    assertFalse(server.send("h1", assignment(2)), "not taken for sent");
    assertEquals(1, server.fencedCommands());

    fence.mayCommand = true;
    assertTrue(server.send("h1", assignment(3)));
    await("the next change").until(() -> assignments(agent).size() >= 2);
    // One connection keeps order: had generation 2 been written, it would have come before 3.
    assertEquals(
        List.of(1L, 3L), assignments(agent).stream().map(Assignment::getGeneration).toList());
    assertEquals(1, server.fencedCommands());
  }

  @Test
  void anAssignmentWaitingToBeWrittenWhenTheFenceClosesIsDroppedNotWrittenLater() {
    SettableFence fence = new SettableFence(5, true);
    FencedCommands fenced = new FencedCommands();
    EmbeddedChannel channel = new EmbeddedChannel(new CommandFenceHandler(fence, fenced));

    fence.mayCommand = false;
    channel.writeOutbound(envelope(assignment(1)));
    assertNull(channel.readOutbound(), "dropped");
    assertTrue(channel.isOpen(), "the agent's connection stays");
    assertEquals(1, fenced.total());

    fence.mayCommand = true;
    channel.writeOutbound(envelope(assignment(2)));
    Envelope written = channel.readOutbound();
    assertEquals(2, written.getAssignment().getGeneration());
    assertEquals(5, written.getAssignment().getEpoch());
    assertNull(channel.readOutbound(), "the dropped one does not come back");
  }

  @Test
  void anAssignmentIsDroppedWhenTheEpochChangesAroundTheCheck() {
    FencedCommands fenced = new FencedCommands();
    // An epoch read before and after the check that differ: leadership changed in between.
    CommandFence flipping =
        new CommandFence() {
          private long reads;

          @Override
          public long epoch() {
            return ++reads;
          }

          @Override
          public boolean mayCommand() {
            return true;
          }
        };
    EmbeddedChannel channel = new EmbeddedChannel(new CommandFenceHandler(flipping, fenced));
    channel.writeOutbound(envelope(assignment(1)));
    assertNull(channel.readOutbound());
    assertEquals(1, fenced.total());
  }

  @Test
  void aSingleServerWritesItsFramesUnchangedAtEpochZero() {
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new CommandFenceHandler(CommandFence.SINGLE_NODE, new FencedCommands()));
    Envelope welcome =
        Envelope.newBuilder().setWelcome(Welcome.newBuilder().setHeartbeatIntervalMs(5)).build();
    channel.writeOutbound(welcome, envelope(assignment(1)));
    assertEquals(welcome, channel.readOutbound());
    assertEquals(envelope(assignment(1)), channel.readOutbound());
  }

  private AgentServer server(CommandFence fence) throws InterruptedException {
    AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), new RecordingListener())
            .bind("127.0.0.1", 0)
            .heartbeatInterval(Duration.ofSeconds(30))
            .fence(fence)
            .start();
    toClose.add(server);
    return server;
  }

  private RawAgent welcomed(AgentServer server, String hostId) throws InterruptedException {
    RawAgent agent = RawAgent.connect(group, server.port());
    toClose.add(agent);
    agent.send(Envelope.newBuilder().setHello(RawAgent.hello(hostId, TOKEN)).build());
    await("welcomed").until(agent::welcomed);
    return agent;
  }

  private static Welcome welcome(RawAgent agent) {
    return agent.received.stream()
        .filter(Envelope::hasWelcome)
        .findFirst()
        .orElseThrow()
        .getWelcome();
  }

  private static List<Assignment> assignments(RawAgent agent) {
    return agent.received.stream()
        .filter(Envelope::hasAssignment)
        .map(Envelope::getAssignment)
        .toList();
  }

  private static Assignment assignment(long generation) {
    return Assignment.newBuilder().setRevision("r" + generation).setGeneration(generation).build();
  }

  private static Envelope envelope(Assignment assignment) {
    return Envelope.newBuilder().setAssignment(assignment).build();
  }
}
