package ogp.bench.sim;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import ogp.agent.link.HostKey;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.StatusReport;

/**
 * One simulated agent: the real protocol, with a Docker that converges instantly. It says Hello
 * with the join token and a host key of its own (in memory), waits for Welcome, heartbeats every
 * interval ± 10 % jitter and times each Ack, answers every Assignment at once with a StatusReport
 * in which every container runs at the assigned spec hash, and reconnects with the real agent's
 * backoff when the connection drops.
 *
 * <p>Threading: all fields but the volatile ones are touched only on the event loop of the agent's
 * current channel; a reconnect may land on another loop, but never runs concurrently with the old
 * channel's handler (it is scheduled from its close).
 *
 * <p>Sharable only in the sense Netty checks: the same instance is added to each new channel of
 * this agent after the previous one closed, never to two live channels.
 */
@ChannelHandler.Sharable
final class SimulatedAgent extends SimpleChannelInboundHandler<Envelope> {
  private final String hostId;
  private final AgentSimulator fleet;
  private final Hello hello;

  private Channel channel;
  private long heartbeatSeq;
  private long heartbeatSentNanos;
  private int failedAttempts;

  volatile boolean welcomed;
  volatile String convergedRevision = "";
  volatile long assignmentReceivedNanos;
  volatile long reportWrittenNanos;

  SimulatedAgent(String hostId, AgentSimulator fleet) {
    this.hostId = hostId;
    this.fleet = fleet;
    SimulatorSettings s = fleet.settings();
    this.hello =
        Hello.newBuilder()
            .setProtocolVersion(Protocol.VERSION)
            .setHostId(hostId)
            .putAllLabels(s.labels())
            .setAgentVersion("bench-sim")
            .setDockerVersion("simulated")
            .setJoinToken(s.joinToken())
            // Like a real agent's host key, kept for the life of this agent: its reconnects are
            // the same identity, so the server's binding lets them in.
            .setHostKey(ByteString.copyFrom(HostKey.random().bytes()))
            .build();
  }

  String hostId() {
    return hostId;
  }

  /** Called by the simulator once the TCP connection is up. */
  void attached(Channel ch) {
    channel = ch;
    ch.writeAndFlush(Envelope.newBuilder().setHello(hello).build());
  }

  /** The delay before the next connection attempt: full jitter over a doubling ceiling. */
  long nextBackoffMillis() {
    SimulatorSettings s = fleet.settings();
    long ceiling =
        Math.min(
            s.maxBackoff().toMillis(),
            s.initialBackoff().toMillis() << Math.min(failedAttempts, 20));
    failedAttempts++;
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope message) {
    switch (message.getBodyCase()) {
      case WELCOME -> {
        failedAttempts = 0;
        welcomed = true;
        fleet.counters().welcomed(hostId);
        fleet.welcomed(ctx.channel());
        // Like the real agent: a full report right after connecting.
        ctx.writeAndFlush(Envelope.newBuilder().setStatus(report(null)).build());
        scheduleHeartbeat(ctx, firstHeartbeatDelay());
      }
      case ACK -> {
        if (message.getAck().getSeq() == heartbeatSeq && heartbeatSentNanos != 0) {
          fleet.rtt().record(System.nanoTime() - heartbeatSentNanos);
          heartbeatSentNanos = 0;
        }
      }
      case ASSIGNMENT -> {
        long now = System.nanoTime();
        Assignment a = message.getAssignment();
        assignmentReceivedNanos = now;
        fleet.counters().assignment();
        ctx.writeAndFlush(Envelope.newBuilder().setStatus(report(a)).build())
            .addListener(
                f -> {
                  if (f.isSuccess()) {
                    reportWrittenNanos = System.nanoTime();
                    convergedRevision = a.getRevision();
                  }
                });
      }
      case REFUSAL ->
          fleet
              .counters()
              .refused(
                  hostId, message.getRefusal().getCode() + ": " + message.getRefusal().getReason());
      default -> {} // nothing else is sent to agents
    }
  }

  private long firstHeartbeatDelay() {
    // Spread the fleet over the whole interval so heartbeats arrive evenly, not in waves.
    return ThreadLocalRandom.current()
        .nextLong(Math.max(1, fleet.settings().heartbeatInterval().toMillis()));
  }

  private void scheduleHeartbeat(ChannelHandlerContext ctx, long delayMillis) {
    ctx.executor().schedule(() -> heartbeat(ctx), delayMillis, TimeUnit.MILLISECONDS);
  }

  private void heartbeat(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive() || channel != ctx.channel()) return;
    heartbeatSeq++;
    heartbeatSentNanos = System.nanoTime();
    ctx.writeAndFlush(
        Envelope.newBuilder()
            .setHeartbeat(
                Heartbeat.newBuilder().setSeq(heartbeatSeq).setSentAtMs(System.currentTimeMillis()))
            .build());
    long interval = fleet.settings().heartbeatInterval().toMillis();
    long jitter = interval / 10;
    scheduleHeartbeat(
        ctx, interval - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
  }

  /**
   * Every assigned container running at its spec hash: what a real agent reports once converged.
   */
  private StatusReport report(Assignment assignment) {
    StatusReport.Builder report = StatusReport.newBuilder().setDockerVersion("simulated");
    if (assignment == null) return report.build();
    report.setRevision(assignment.getRevision()).setGeneration(assignment.getGeneration());
    for (ContainerSpec spec : assignment.getContainersList()) {
      report.addContainers(
          ContainerStatus.newBuilder()
              .setApp(spec.getApp())
              .setInstance(spec.getInstance())
              .setVersion(spec.getVersion())
              .setContainerId(hostId + "-" + spec.getApp() + "-" + spec.getInstance())
              .setState(spec.getState() == ContainerSpec.RunState.STOPPED ? "exited" : "running")
              .setRevision(spec.getRevision())
              .setSpecHash(spec.getSpecHash()));
    }
    return report.build();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (welcomed) fleet.counters().disconnected(hostId);
    welcomed = false;
    heartbeatSentNanos = 0;
    fleet.reconnectLater(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset by a stopping server: channelInactive reconnects
  }
}
