package ogp.bench.sim;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;

/**
 * N simulated agents in this JVM on one shared event-loop group, each a real TCP connection
 * speaking the real protocol through the same {@link FramePipeline} as the real agent. Agents are
 * spread over several loopback source addresses; at most {@link #MAX_HANDSHAKES} connections are
 * between connect and Welcome at once during the initial ramp, so the server's accept backlog is
 * never overrun (a dropped SYN would cost a 1 s retransmit and distort the numbers).
 *
 * <p>Bounded by construction: {@link #close()} closes every connection and stops the threads; the
 * simulator never outlives its caller's try-with-resources.
 */
public final class AgentSimulator implements AutoCloseable {
  static final int MAX_HANDSHAKES = 500;

  /** The real agent's Welcome deadline (AgentLink): a session not welcomed by then is closed. */
  static final long WELCOME_TIMEOUT_MILLIS = 10_000;

  private final SimulatorSettings settings;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private final Map<String, SimulatedAgent> byHostId = new HashMap<>();
  private final FleetCounters counters = new FleetCounters();
  private final EpochTimeline timeline = new EpochTimeline();
  private final LatencyHistogram rtt = new LatencyHistogram();
  private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);
  private volatile boolean closed;

  public AgentSimulator(SimulatorSettings settings) {
    this.settings = settings;
    this.group =
        new MultiThreadIoEventLoopGroup(settings.eventLoopThreads(), NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
    for (int i = 0; i < settings.agents(); i++) {
      SimulatedAgent agent = new SimulatedAgent(ogp.bench.repo.FleetShape.hostId(i), this);
      agents.add(agent);
      byHostId.put(agent.hostId(), agent);
    }
  }

  SimulatorSettings settings() {
    return settings;
  }

  public FleetCounters counters() {
    return counters;
  }

  /** When the fleet first heard from each leader epoch. */
  public EpochTimeline timeline() {
    return timeline;
  }

  /** Heartbeat round trips (Heartbeat written → its Ack read), as this JVM sees them. */
  public LatencyHistogram rtt() {
    return rtt;
  }

  /**
   * Connects every agent (paced by the handshake limit) and returns at once when the last connect
   * is issued.
   */
  public void connectAll() throws InterruptedException {
    for (SimulatedAgent agent : agents) {
      handshakes.acquire();
      connect(agent, true);
    }
  }

  private void connect(SimulatedAgent agent, boolean holdsPermit) {
    if (closed) {
      if (holdsPermit) handshakes.release();
      return;
    }
    int index = Math.floorMod(agent.hostId().hashCode(), Math.max(1, settings.sourceAddresses()));
    InetSocketAddress local = new InetSocketAddress("127.0.0." + (2 + index), 0);
    Bootstrap b =
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    // Like the real link: reader idle is the Welcome deadline until the Welcome,
                    // then three heartbeat intervals (the agent replaces the handler).
                    FramePipeline.install(ch.pipeline(), null, WELCOME_TIMEOUT_MILLIS, 0);
                    ch.pipeline().addLast(CoalescingOutbox.NAME, new CoalescingOutbox());
                    ch.pipeline().addLast("agent", agent);
                  }
                });
    ChannelFuture future = b.connect(address(agent.nextTarget()), local);
    future.addListener(
        f -> {
          Channel ch = future.channel();
          if (f.isSuccess()) {
            // The permit covers connect + Welcome, through followed Redirects: released by the
            // Welcome, or by a close that does not follow a Redirect.
            if (holdsPermit) ch.attr(PERMIT).set(Boolean.TRUE);
            ch.closeFuture().addListener(c -> afterClose(agent, ch));
            agent.attached(ch);
          } else {
            counters.connectFailed();
            reconnectLater(agent, holdsPermit);
          }
        });
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /**
   * On the closed channel's event loop: the session ends in the agent's books before the next
   * connection starts (the close future may complete before the handler's channelInactive runs).
   */
  private void afterClose(SimulatedAgent agent, Channel ch) {
    agent.sessionClosed();
    boolean permit = Boolean.TRUE.equals(ch.attr(PERMIT).getAndSet(Boolean.FALSE));
    reconnectLater(agent, permit);
  }

  private static final AttributeKey<Boolean> PERMIT =
      AttributeKey.valueOf("ogp.bench.handshakePermit");

  /** Called by an agent when its Welcome arrived. */
  void welcomed(Channel ch) {
    releasePermit(ch);
  }

  private void releasePermit(Channel ch) {
    if (Boolean.TRUE.equals(ch.attr(PERMIT).getAndSet(Boolean.FALSE))) handshakes.release();
  }

  /**
   * After a close or a failed connect: try again after the agent's backoff, like the real link (at
   * once when it follows a Redirect, keeping its handshake permit).
   */
  private void reconnectLater(SimulatedAgent agent, boolean holdsPermit) {
    long delay = agent.reconnectDelayMillis();
    boolean keepPermit = holdsPermit && agent.redirecting();
    if (holdsPermit && !keepPermit) handshakes.release();
    if (closed) {
      if (keepPermit) handshakes.release();
      return;
    }
    try {
      group.next().schedule(() -> connect(agent, keepPermit), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      if (keepPermit) handshakes.release(); // close() is stopping the loops
    }
  }

  /**
   * Waits until {@code condition} holds for the counters, or the deadline passes; returns whether
   * it held.
   */
  public boolean await(Predicate<AgentSimulator> condition, Duration deadline)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.test(this)) {
      if (System.nanoTime() > end) return false;
      Thread.sleep(10);
    }
    return true;
  }

  public int size() {
    return agents.size();
  }

  /** Agents whose latest written report says they converged to {@code revision}. */
  public int convergedTo(String revision) {
    int n = 0;
    for (SimulatedAgent a : agents) if (revision.equals(a.convergedRevision)) n++;
    return n;
  }

  /** Agents whose current session was welcomed at {@code epoch}. */
  public int welcomedAt(long epoch) {
    int n = 0;
    for (SimulatedAgent a : agents) if (a.welcomedAt(epoch)) n++;
    return n;
  }

  /**
   * The latest Welcome (System.nanoTime) of the agents whose current session is at {@code epoch}.
   */
  public long lastWelcomeAtNanos(long epoch) {
    long last = 0;
    boolean any = false;
    for (SimulatedAgent a : agents) {
      if (a.welcomedAt(epoch) && (!any || a.welcomedAtNanos - last > 0)) {
        last = a.welcomedAtNanos;
        any = true;
      }
    }
    return last;
  }

  /**
   * The highest epoch at which an agent is welcomed now, and the address most of those agents
   * dialled: where the fleet sees the leader. Empty while no agent is welcomed.
   */
  public java.util.Optional<SeenLeader> leader() {
    long epoch = -1;
    for (SimulatedAgent a : agents) if (a.welcomed) epoch = Math.max(epoch, a.sessionEpoch);
    if (epoch < 0) return java.util.Optional.empty();
    Map<String, Integer> byAddress = new HashMap<>();
    for (SimulatedAgent a : agents) {
      if (a.welcomedAt(epoch)) byAddress.merge(a.target, 1, Integer::sum);
    }
    long leaderEpoch = epoch;
    return byAddress.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(e -> new SeenLeader(e.getKey(), leaderEpoch, e.getValue()));
  }

  /**
   * Where the fleet is, for a failure message: welcomed agents per epoch and address, and how many
   * are between sessions (with the address each dials next).
   */
  public String whereAgentsAre() {
    Map<String, Integer> welcomed = new java.util.TreeMap<>();
    Map<String, Integer> between = new java.util.TreeMap<>();
    for (SimulatedAgent a : agents) {
      if (a.welcomed)
        welcomed.merge("epoch " + a.sessionEpoch + " at " + a.target, 1, Integer::sum);
      else between.merge(String.valueOf(a.target), 1, Integer::sum);
    }
    return "welcomed " + welcomed + ", between sessions (last address) " + between;
  }

  /** The leader as the fleet sees it: its agent address, its epoch, the agents welcomed there. */
  public record SeenLeader(String agentAddress, long epoch, int agents) {}

  /**
   * When host {@code hostId} received its latest Assignment (System.nanoTime), if that assignment
   * is at {@code revision}; 0 otherwise.
   */
  public long assignmentReceivedNanos(String hostId, String revision) {
    SimulatedAgent a = byHostId.get(hostId);
    if (a == null) throw new IllegalArgumentException("no simulated host " + hostId);
    long at = a.assignmentReceivedNanos;
    return revision.equals(a.assignmentRevision) ? at : 0;
  }

  /** The latest moment (System.nanoTime) an agent received an assignment. */
  public long lastAssignmentReceivedNanos() {
    long last = 0;
    for (SimulatedAgent a : agents) last = Math.max(last, a.assignmentReceivedNanos);
    return last;
  }

  /** The latest moment (System.nanoTime) an agent finished writing a converged report. */
  public long lastReportWrittenNanos() {
    long last = 0;
    for (SimulatedAgent a : agents) last = Math.max(last, a.reportWrittenNanos);
    return last;
  }

  @Override
  public void close() {
    closed = true;
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
