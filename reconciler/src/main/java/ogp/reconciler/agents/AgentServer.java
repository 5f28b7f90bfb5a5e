package ogp.reconciler.agents;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LoopGuard;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Welcome;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.auth.TokenVerifier;
import ogp.reconciler.pki.CertificateAuthority;

/**
 * The reconciler's end of the agent link: accepts agents over TCP (TLS when a context is given),
 * checks their Hello, keeps a registry of hosts, pushes assignments and reports what agents say to
 * an {@link AgentListener}.
 *
 * <p>Policy: a host id belongs to the identity that first used it ({@link HostBindings}, checked by
 * {@link HelloCheck}) until an operator {@linkplain #release releases} it; the labels placement
 * uses are the ones bound with it, changed only by {@link #relabel}. Among sessions of that
 * identity the newest connection of a host id wins and the older one is refused with SUPERSEDED; a
 * host is lost when nothing was heard from it for the lost grace (checked periodically), and
 * connected again when it speaks; a lost or disconnected host keeps its last, now stale, report,
 * until it has been lost for longer than {@link Builder#forgetLostAfter} and is forgotten. Every
 * agent-provided string is bounded where it enters ({@link AgentInput}). Assignments are
 * latest-wins per host: a slow agent never makes them pile up.
 *
 * <p>Fencing: every Welcome and Assignment leaves with the {@linkplain Builder#fence fence}'s
 * epoch; right before an Assignment is written the fence is asked whether this server may command,
 * and when not the frame is dropped, never kept for later ({@link #fencedCommands()} counts them, a
 * log line at most every second says so). The check reads memory only.
 *
 * <p>Concurrency rule. Netty event loops run the codec and {@link SessionHandler}: they decode,
 * answer heartbeats and update the registry, nothing slower. The registry's lock is held only for
 * map updates and for enqueueing listener events; it is never held during channel I/O (writes,
 * refusals, closes happen after it is released) nor during listener calls. Listener callbacks run
 * one at a time on the listener executor, in event order. The liveness check runs on the scheduler.
 * {@link #send}, {@link #hosts} and {@link #host} may be called from any thread.
 */
public final class AgentServer implements AgentLinks, AutoCloseable {
  private final HostRegistry registry;
  private final HostBindings bindings;
  private final PendingHandshakes pendingHandshakes;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ServerBootstrap bootstrap;
  private volatile Channel serverChannel; // null until the port is bound
  private final ScheduledFuture<?> livenessCheck;
  private final ExecutorService ownedListenerExecutor;
  private final ScheduledExecutorService ownedScheduler;
  private final ExecutorService enrolmentWorker;
  private final IdentityEvents identityEvents;
  private final Clock clock;
  private final CommandFence fence;
  private final Duration lostGrace;
  private final FencedCommands fenced = new FencedCommands();

  /**
   * Every connection accepted, welcomed or not. {@link #close()} closes them: a connection accepted
   * just before the close could otherwise be registered after the event loop closed its channels
   * and stay open unanswered, its agent waiting its whole Welcome timeout (10 s) before it tried
   * the next replica. Stays closed: one accepted while the server closes is closed at once.
   */
  private final ChannelGroup connections =
      new DefaultChannelGroup("agent server", GlobalEventExecutor.INSTANCE, true);

  private AgentServer(Builder b) throws InterruptedException {
    ownedListenerExecutor =
        b.listenerExecutor == null
            ? Executors.newSingleThreadExecutor(new DefaultThreadFactory("ogp-agent-events", true))
            : null;
    ownedScheduler =
        b.scheduler == null
            ? Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("ogp-agent-liveness", true))
            : null;
    ScheduledExecutorService scheduler = b.scheduler != null ? b.scheduler : ownedScheduler;
    ListenerQueue events =
        new ListenerQueue(
            b.listener, b.listenerExecutor != null ? b.listenerExecutor : ownedListenerExecutor);
    lostGrace = b.lostGrace;
    registry = new HostRegistry(events, b.lostGrace.toMillis(), b.forgetLostAfter.toMillis());
    bindings = b.bindings;
    identityEvents = b.identityEvents;
    clock = b.clock;
    fence = b.fence;
    // Token store writes and signatures: off the event loops, one at a time.
    // Bounded: a flood of enrolments beyond the queue is refused at once, not queued in memory.
    enrolmentWorker =
        new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(Enrolment.QUEUE),
            new DefaultThreadFactory("ogp-enrolment", true));
    Welcome welcome =
        Welcome.newBuilder()
            .setProtocolVersion(Protocol.VERSION)
            .setServerVersion(b.serverVersion)
            .setHeartbeatIntervalMs(Math.toIntExact(b.heartbeatInterval.toMillis()))
            .setResyncIntervalMs(Math.toIntExact(b.resyncInterval.toMillis()))
            .build();
    pendingHandshakes = new PendingHandshakes(b.pendingPerAddress, b.pendingTotal);
    SessionInitializer initializer =
        new SessionInitializer(
            b.tls,
            new SessionSettings(
                new HelloCheck(b.token, b.bindings, b.enrolment != null),
                registry,
                welcome,
                b.helloTimeout.toMillis(),
                b.clock,
                pendingHandshakes,
                new Enrolment(
                    Optional.ofNullable(b.enrolment),
                    b.bindings,
                    b.identityEvents,
                    b.clock,
                    enrolmentWorker)),
            fence,
            fenced);

    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(b.ioThreads, NioIoHandler.newFactory());
    try {
      bootstrap =
          new ServerBootstrap()
              .group(bossGroup, workerGroup)
              .channel(NioServerSocketChannel.class)
              // A restarted server meets its whole fleet reconnecting at once: a short accept queue
              // drops SYNs that then retransmit after 1, 3, 7 s. The kernel caps it at somaxconn.
              .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.SO_KEEPALIVE, true)
              // Bounds what one slow agent can hold in our memory; see CoalescingOutbox.
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(64 * 1024, Protocol.MAX_FRAME_BYTES))
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      connections.add(channel);
                      channel.pipeline().addLast(initializer);
                    }
                  })
              .localAddress(b.host, b.port);
      if (!b.acceptLater) acceptConnections();
    } catch (InterruptedException | RuntimeException e) {
      shutdown();
      throw e;
    }
    long period = Math.max(10, Math.min(1000, b.lostGrace.toMillis() / 4));
    livenessCheck =
        scheduler.scheduleWithFixedDelay(
            // Guarded: a periodic task that throws is never run again, and no host would ever be
            // lost (nor forgotten) after it.
            LoopGuard.guarded(
                "the agent liveness check", () -> registry.checkLiveness(b.clock.millis())),
            period,
            period,
            TimeUnit.MILLISECONDS);
  }

  /** How long a host stays lost before it is forgotten unless configured: a day. */
  public static final Duration DEFAULT_FORGET_LOST_AFTER = Duration.ofHours(24);

  /** How long a new connection may take to send its first frame unless configured. */
  static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Pending connections the kernel queues for us (capped by {@code net.core.somaxconn}, 4096 here).
   */
  static final int ACCEPT_BACKLOG = 8192;

  /** A builder; {@link Builder#start()} binds. */
  public static Builder builder(SecretToken token, AgentListener listener) {
    return new Builder(TokenVerifier.single("join", Role.JOIN, token), listener);
  }

  /**
   * A builder whose agents must present a token of role {@link Role#JOIN}. The verifier is called
   * on a Netty event loop, so it must not do I/O (see {@link TokenStore#inMemory()}).
   */
  public static Builder builder(TokenVerifier joinTokens, AgentListener listener) {
    return new Builder(joinTokens, listener);
  }

  /**
   * The labels bound to every host id this server knows an identity of, connected or not: after a
   * restart, before the agents are back, these are the labels placement will use.
   */
  public Map<String, Map<String, String>> boundLabels() {
    return bindings.labels();
  }

  /** Connections accepted and not welcomed (nor closed) yet. */
  int pendingHandshakes() {
    return pendingHandshakes.pending();
  }

  /**
   * How long a host may go without heartbeats before it is lost: also how long every agent has to
   * reconnect after this server started (a restart, a failover) before it is called lost.
   */
  public Duration lostGrace() {
    return lostGrace;
  }

  /** The bound port (the ephemeral one when built with port 0). */
  public int port() {
    Channel bound = serverChannel;
    if (bound == null)
      throw new IllegalStateException("the agent port is not bound yet (acceptConnections)");
    return ((InetSocketAddress) bound.localAddress()).getPort();
  }

  /**
   * Binds the agent port and accepts connections, for a server built with {@link
   * Builder#acceptLater()} (the others are bound at start); idempotent. Fails as binding fails when
   * the port is taken.
   */
  public synchronized void acceptConnections() throws InterruptedException {
    if (serverChannel != null) return;
    serverChannel = bootstrap.bind().sync().channel();
  }

  /**
   * Pushes the complete assignment of a host to its live connection. Latest-wins: if an earlier
   * assignment to the host is still waiting because the agent reads slowly, this one replaces it.
   *
   * @return false when the host has no live connection (the assignment is then dropped; the
   *     reconciler sends it again when the host connects)
   */
  @Override
  public boolean send(String hostId, Assignment assignment) {
    Objects.requireNonNull(assignment, "assignment");
    Optional<Session> session = registry.live(hostId);
    if (session.isEmpty()) return false;
    // Checked here too (the pipeline checks again right before the write), so that an assignment
    // this server may not send now is not taken for sent: it goes out at the next reconcile.
    if (!fence.mayCommand()) {
      fenced.dropped(hostId);
      return false;
    }
    return session.get().send(assignment);
  }

  /**
   * Assignments dropped since start because the {@linkplain Builder#fence fence} said this server
   * may not command (the metric {@code ogp_fenced_commands_total}).
   */
  public long fencedCommands() {
    return fenced.total();
  }

  /** Heartbeats (and other liveness-only messages) received from live sessions since start. */
  public long heartbeatsReceived() {
    return registry.heartbeats();
  }

  @Override
  public Collection<HostRecord> hosts() {
    return registry.hosts();
  }

  @Override
  public Optional<HostRecord> host(String hostId) {
    return registry.host(hostId);
  }

  /**
   * Frees a host id from the identity that holds it: the next Hello for it binds anew (its session,
   * if any, stays). False when the host id is not bound.
   */
  public boolean release(String hostId) {
    return bindings.release(hostId);
  }

  /**
   * Sets and removes labels bound to a host id; the host is placed again at once.
   *
   * @return the labels now bound, or empty when the host id is not bound
   */
  public Optional<Map<String, String>> relabel(
      String hostId, Map<String, String> set, Set<String> remove) {
    Optional<HostBindings.Binding> binding = bindings.relabel(hostId, set, remove);
    binding.ifPresent(b -> registry.relabeled(hostId, b.labels()));
    return binding.map(HostBindings.Binding::labels);
  }

  /**
   * Revokes a host: its live session is closed with REVOKED, and its Hello, renewal and enrolment
   * are refused from now on; its identity (the certificate's key) stays refused even after a {@link
   * #release}. The server plans nothing new for it, and the agent keeps its containers running.
   *
   * @return false when the host id is not bound (nothing changes)
   */
  public boolean revoke(String hostId) {
    Optional<HostBindings.Binding> revoked = bindings.revoke(hostId, clock.instant());
    if (revoked.isEmpty()) return false;
    registry
        .live(hostId)
        .ifPresent(
            session ->
                session.refuseAndClose(HelloCheck.revoked(bindings, hostId, null).orElseThrow()));
    identityEvents.revoked(hostId);
    return true;
  }

  /** The host ids revoked now (until released). */
  @Override
  public Set<String> revokedHosts() {
    return bindings.revokedHosts();
  }

  /** The labels bound to a host id, or empty when it is not bound. */
  public Optional<Map<String, String>> boundLabels(String hostId) {
    return bindings.binding(hostId).map(HostBindings.Binding::labels);
  }

  /** Stops accepting, closes every agent connection and stops the threads this server owns. */
  @Override
  public void close() {
    livenessCheck.cancel(false);
    Channel bound;
    synchronized (this) {
      bound = serverChannel;
    }
    if (bound != null) bound.close().awaitUninterruptibly();
    registry.liveSessions().forEach(Session::close);
    connections.close().awaitUninterruptibly();
    shutdown();
  }

  private void shutdown() {
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (ownedListenerExecutor != null) {
      ownedListenerExecutor.shutdown();
    }
    enrolmentWorker.shutdownNow();
  }

  /** Settings of an {@link AgentServer}; every one but the token and the listener has a default. */
  public static final class Builder {
    private final TokenVerifier token;
    private final AgentListener listener;
    private String host = "0.0.0.0";
    private int port = 7443;
    private int ioThreads = 0; // Netty's default: twice the cores
    private Duration heartbeatInterval = Duration.ofSeconds(5);
    private Duration resyncInterval = Duration.ofSeconds(60);
    private Duration lostGrace = Duration.ofSeconds(15);
    private Duration helloTimeout = DEFAULT_HELLO_TIMEOUT;
    private HostBindings bindings = HostBindings.inMemory();
    private int pendingPerAddress = PendingHandshakes.DEFAULT_PER_ADDRESS;
    private int pendingTotal = PendingHandshakes.DEFAULT_TOTAL;
    private Duration forgetLostAfter = DEFAULT_FORGET_LOST_AFTER;
    private SslContext tls;
    private Enrolment.Settings enrolment;
    private IdentityEvents identityEvents = IdentityEvents.NONE;
    private Executor listenerExecutor;
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private String serverVersion = "dev";
    private CommandFence fence = CommandFence.SINGLE_NODE;
    private boolean acceptLater;

    private Builder(TokenVerifier token, AgentListener listener) {
      this.token = Objects.requireNonNull(token, "token");
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Binds the port only at {@link AgentServer#acceptConnections()}, not at start: agents that
     * dial meanwhile are refused and try again (or wait, parked at a standby, until this port
     * answers). A server starting while its whole fleet reconnects builds the rest of itself first
     * instead of sharing the cores with thousands of Hellos.
     */
    public Builder acceptLater() {
      this.acceptLater = true;
      return this;
    }

    /** Address and port to bind; port 0 picks a free one (see {@link AgentServer#port()}). */
    public Builder bind(String host, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      return this;
    }

    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    /** How often agents heartbeat (told in Welcome); silent connections close after 3 of them. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive(interval, "heartbeatInterval");
      return this;
    }

    /** How often agents re-converge on their own (told in Welcome). */
    public Builder resyncInterval(Duration interval) {
      this.resyncInterval = positive(interval, "resyncInterval");
      return this;
    }

    /** Silence after which a host is lost (default 15 s). */
    public Builder lostGrace(Duration grace) {
      this.lostGrace = positive(grace, "lostGrace");
      return this;
    }

    /**
     * Which identity holds each host id (default: in memory, for this server's life). The caller
     * owns it and closes it after this server.
     */
    public Builder hostBindings(HostBindings bindings) {
      this.bindings = Objects.requireNonNull(bindings, "bindings");
      return this;
    }

    /**
     * Caps on connections not welcomed yet: from one source address (loopback exempt) and in total
     * (defaults {@value PendingHandshakes#DEFAULT_PER_ADDRESS} and {@value
     * PendingHandshakes#DEFAULT_TOTAL}).
     */
    public Builder pendingHandshakes(int perAddress, int total) {
      if (perAddress < 1 || total < 1) {
        throw new IllegalArgumentException("handshake caps must be positive");
      }
      this.pendingPerAddress = perAddress;
      this.pendingTotal = total;
      return this;
    }

    /**
     * How long a host stays lost before the server forgets it (default 24 h); zero: never. A
     * forgotten host is unknown, as one that never connected.
     */
    public Builder forgetLostAfter(Duration after) {
      if (after.isNegative()) {
        throw new IllegalArgumentException("forgetLostAfter must not be negative: " + after);
      }
      this.forgetLostAfter = after;
      return this;
    }

    /** How long a new connection may take to send its Hello (default 5 s). */
    public Builder helloTimeout(Duration timeout) {
      this.helloTimeout = positive(timeout, "helloTimeout");
      return this;
    }

    /** A server TLS context, or null for plain TCP (the default). */
    public Builder tls(SslContext tlsOrNull) {
      this.tls = tlsOrNull;
      return this;
    }

    /**
     * Lets agents enrol ({@code ogp agent enroll}) and renew their certificates: {@code ca} signs
     * them (it must be the CA the server's TLS context trusts for client certificates, with client
     * authentication optional so an agent without a certificate can enrol), each enrolment spends a
     * use of a join token in {@code tokens}, and certificates are valid for {@code
     * agentCertificateLifetime}. Without this, enrolment and renewal requests are refused.
     */
    public Builder enrolment(
        CertificateAuthority ca, TokenStore tokens, Duration agentCertificateLifetime) {
      this.enrolment = new Enrolment.Settings(ca, tokens, agentCertificateLifetime);
      return this;
    }

    /** Who hears of enrolments, renewals and revocations (default: nobody). */
    public Builder identityEvents(IdentityEvents events) {
      this.identityEvents = Objects.requireNonNull(events, "events");
      return this;
    }

    /**
     * Where listener callbacks run (one at a time, in order, whatever the executor). Default: a
     * thread of the server's own.
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Runs the periodic liveness check. Default: a thread of the server's own. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder serverVersion(String version) {
      this.serverVersion = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * Whether this server may command agents, and the epoch its Welcome and Assignment frames carry
     * (default {@link CommandFence#SINGLE_NODE}: always, at epoch 0). Asked on event loops and the
     * reconcile worker right before a frame is written, so it must read memory only.
     */
    public Builder fence(CommandFence fence) {
      this.fence = Objects.requireNonNull(fence, "fence");
      return this;
    }

    /** Binds and starts; the returned server is accepting agents. */
    public AgentServer start() throws InterruptedException {
      return new AgentServer(this);
    }

    private static Duration positive(Duration value, String name) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
