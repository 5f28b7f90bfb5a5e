package ogp.bench.sim;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
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
 * <p>Replicas, by the rules of the real agent's link ({@code AgentLink}, {@code RedirectCheck},
 * {@code LeaderEpoch}) with {@code --server a,b,c}: it starts at the first address of the list; a
 * Redirect is followed only to an address of the list at an epoch not below the highest seen (epoch
 * 0 counts as below any epoch seen), at once for as many redirects in a row without a Welcome as
 * the list has addresses and after the backoff beyond that; any other close (a refused redirect, a
 * refusal such as NOT_LEADER, a failed connect, a lost session) moves to the next address after the
 * backoff. It remembers the highest epoch of any Welcome or Assignment (a Redirect never raises it)
 * and refuses lower ones, except epoch 0 of a single server: a stale Welcome ends the session, a
 * stale Assignment is not applied; it counts both and reports them in its StatusReports. Every
 * Welcome and Assignment is recorded with its epoch and receive time ({@link EpochTimeline}).
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
  private final List<String> servers;

  private Channel channel;
  private long heartbeatSeq;
  private long heartbeatSentNanos;
  private int failedAttempts;
  private int serverIndex;
  private String redirectTo; // the next connection's address after a followed Redirect
  private boolean redirectAtOnce; // whether that connection goes without the backoff
  private int redirectsSinceWelcome;
  private long staleRefused;

  volatile boolean welcomed;
  volatile String convergedRevision = "";
  volatile long assignmentReceivedNanos;
  volatile String assignmentRevision = "";
  volatile long reportWrittenNanos;
  volatile long highestEpoch;

  /** The epoch of the current session's Welcome; meaningful while {@link #welcomed}. */
  volatile long sessionEpoch;

  volatile long welcomedAtNanos;

  /** The address of the current (or last) connection. */
  volatile String target;

  SimulatedAgent(String hostId, AgentSimulator fleet) {
    this.hostId = hostId;
    this.fleet = fleet;
    SimulatorSettings s = fleet.settings();
    this.servers = s.servers();
    this.serverIndex = 0; // like the real link: the first of the list
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

  /** The address of the next connection: a followed Redirect's, else the current list entry. */
  String nextTarget() {
    String next = redirectTo != null ? redirectTo : servers.get(serverIndex);
    redirectTo = null;
    target = next;
    return next;
  }

  /** Whether the next connection follows a Redirect at once, without the backoff. */
  boolean redirecting() {
    return redirectTo != null && redirectAtOnce;
  }

  /**
   * The delay before the next connection attempt after a close or a failed connect: none when a
   * Redirect is followed at once, else the backoff; without a followed Redirect the next attempt
   * goes to the next address of the list.
   */
  long reconnectDelayMillis() {
    if (redirectTo != null) return redirectAtOnce ? 0 : nextBackoffMillis();
    serverIndex = (servers.indexOf(target) + 1) % servers.size(); // after a redirect's target too
    return nextBackoffMillis();
  }

  /** Called by the simulator once the TCP connection is up. */
  void attached(Channel ch) {
    channel = ch;
    ch.writeAndFlush(Envelope.newBuilder().setHello(hello).build());
  }

  /** The delay before the next connection attempt: full jitter over a doubling ceiling. */
  private long nextBackoffMillis() {
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
        long now = System.nanoTime();
        long epoch = message.getWelcome().getEpoch();
        if (stale(epoch)) { // a deposed leader's session: refuse it, try elsewhere
          refusedStale();
          ctx.close();
          return;
        }
        highestEpoch = Math.max(highestEpoch, epoch);
        failedAttempts = 0;
        redirectsSinceWelcome = 0;
        sessionEpoch = epoch;
        welcomedAtNanos = now;
        welcomed = true;
        fleet.timeline().welcome(epoch, now);
        fleet.counters().welcomed(hostId);
        fleet.welcomed(ctx.channel());
        long interval = Math.max(1, message.getWelcome().getHeartbeatIntervalMs());
        ctx.pipeline()
            .replace(
                "idle", "idle", new IdleStateHandler(3 * interval, 0, 0, TimeUnit.MILLISECONDS));
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
        if (stale(a.getEpoch())) { // a deposed leader's command: not applied
          refusedStale();
          return;
        }
        highestEpoch = Math.max(highestEpoch, a.getEpoch());
        fleet.timeline().assignment(a.getEpoch(), now);
        assignmentReceivedNanos = now;
        assignmentRevision = a.getRevision();
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
      case REDIRECT -> {
        String to = message.getRedirect().getAgentAddress();
        long epoch = message.getRedirect().getEpoch();
        if (servers.contains(to) && !stale(epoch) && !(epoch == 0 && highestEpoch != 0)) {
          redirectTo = to;
          // Replicas disagreeing during an election must not make the agent spin.
          redirectAtOnce = redirectsSinceWelcome++ < servers.size();
          fleet.counters().redirectFollowed();
        } else {
          fleet.counters().redirectIgnored();
        }
        ctx.close(); // the replica closes too; the reconnect goes to redirectTo or the next server
      }
      case REFUSAL ->
          fleet
              .counters()
              .refused(
                  hostId, message.getRefusal().getCode() + ": " + message.getRefusal().getReason());
      default -> {} // nothing else is sent to agents
    }
  }

  /** The real agent's rule: below the highest epoch seen, except epoch 0 (a single server). */
  private boolean stale(long epoch) {
    return epoch != 0 && epoch < highestEpoch;
  }

  private void refusedStale() {
    staleRefused++;
    fleet.counters().refusedStale();
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
    StatusReport.Builder report =
        StatusReport.newBuilder()
            .setDockerVersion("simulated")
            .setStaleCommandsRefused(staleRefused)
            .setHighestEpoch(highestEpoch);
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

  /** Called by the simulator when the current connection closed, before it reconnects. */
  void sessionClosed() {
    if (welcomed) fleet.counters().disconnected(hostId);
    welcomed = false;
    heartbeatSentNanos = 0;
  }

  /** Whether the current session was welcomed at {@code epoch}. */
  boolean welcomedAt(long epoch) {
    return welcomed && sessionEpoch == epoch;
  }

  /** Like the real link: no Welcome in time, or no Ack for three heartbeat intervals, closes. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      if (welcomed) fleet.counters().silentSession();
      else fleet.counters().welcomeTimedOut(target);
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset by a stopping server: the simulator reconnects on close
  }
}
