package ogp.agent.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import ogp.agent.identity.CertificateRenewal;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;
import ogp.protocol.LoopGuard;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.protocol.v1.RenewRequest;
import ogp.protocol.v1.RenewResponse;
import ogp.protocol.v1.StatusReport;
import ogp.protocol.v1.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the link: keeps one connection to the reconciler open for as long as the link
 * lives, reconnecting with jittered exponential backoff (full jitter, reset after every Welcome).
 * Assignments go to the {@link AssignmentHandler} (latest wins); {@link #report} sends full status,
 * and the latest report is sent again right after every reconnect's Welcome.
 *
 * <p>Refusals never stop the link: a bad token or an unsupported protocol is logged as an error and
 * retried with growing backoff (the token file is read again on every attempt, so an operator can
 * fix it without restarting); SUPERSEDED (another agent claimed this host id) waits the maximum
 * backoff before retrying, so two agents with one id do not take over from each other in a tight
 * loop, while a legitimate replacement still wins; REVOKED (an admin revoked this host) is logged
 * as one error per attempt and retried at the maximum backoff too, since only an operator can end
 * it. A disconnect never produces an assignment: the containers stay as last assigned.
 *
 * <p>An enrolled agent ({@link Builder#renewal}) asks for a renewed certificate over the link once
 * two thirds of its validity have passed ({@link CertificateRenewal}), checked at each Welcome and
 * every minute; TLS is made anew for every connection, so the renewed certificate is used from the
 * next one.
 *
 * <p>Threads: one Netty event loop does the I/O; a control thread does the connecting, the backoff
 * and reading the token file (disk I/O stays off the event loop); an assignment thread runs the
 * handler. {@link #report} and {@link #close} may be called from any thread.
 */
public final class AgentLink implements ServerLink {
  private static final Logger log = LoggerFactory.getLogger(AgentLink.class);

  private final String host;
  private final int port;
  private final AgentIdentity identity;
  private final TokenSource token;
  private final Supplier<SslContext> tls; // null: plain TCP; asked before every connection
  private final CertificateRenewal renewal; // null: no renewal
  private final Clock clock;

  /** How long connecting plus waiting for Welcome may take. */
  private final long welcomeTimeoutMillis = Duration.ofSeconds(10).toMillis();

  private final Backoff backoff; // control thread only
  private final EventLoopGroup group;
  private final ScheduledExecutorService control;
  private final ExecutorService assignmentThread;
  private final LatestAssignment assignments;

  private final AtomicReference<StatusReport> latestReport = new AtomicReference<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicLong acks = new AtomicLong();
  private volatile CoalescingOutbox established; // null unless welcomed on the current channel
  private volatile Channel channel;
  private volatile boolean closed;

  private AgentLink(Builder b) {
    host = b.host;
    port = b.port;
    identity = b.identity;
    token = b.token; // empty for an enrolled agent, whose certificate is its credential
    tls = b.tls;
    renewal = b.renewal;
    clock = b.clock;
    backoff = new Backoff(b.initialBackoff, b.maxBackoff, RandomGenerator.getDefault());
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    control =
        Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("ogp-link-control", true));
    assignmentThread =
        Executors.newSingleThreadExecutor(new DefaultThreadFactory("ogp-link-assignments", true));
    assignments = new LatestAssignment(b.handler, assignmentThread);
  }

  public static Builder builder(
      String host, int port, AgentIdentity identity, AssignmentHandler handler) {
    return new Builder(host, port, identity, handler);
  }

  /**
   * Sends a full status report now if connected, and remembers it to send after every reconnect.
   * Latest-wins: a report not yet written because the server reads slowly is replaced.
   */
  @Override
  public void report(StatusReport report) {
    // Order matters against welcomed(): set the report before reading the session, which
    // welcomed() sets before reading the report, so one of the two always sends the newest.
    latestReport.set(Objects.requireNonNull(report, "report"));
    CoalescingOutbox outbox = established;
    if (outbox != null) {
      outbox.offer(Envelope.newBuilder().setStatus(report).build());
    }
  }

  /** True between a Welcome and the end of that connection. */
  @Override
  public boolean isConnected() {
    return established != null;
  }

  /** How many connections were welcomed so far. */
  public int sessions() {
    return sessions.get();
  }

  /** How many heartbeats the server acknowledged so far. */
  public long acks() {
    return acks.get();
  }

  /** Stops reconnecting, closes the connection and stops the link's threads. */
  @Override
  public void close() {
    closed = true;
    control.shutdownNow();
    Channel current = channel;
    if (current != null) {
      current.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    assignmentThread.shutdownNow();
  }

  private AgentLink start(Duration renewalCheck) {
    onControl(this::connect);
    if (renewal != null) {
      control.scheduleWithFixedDelay(
          LoopGuard.guarded("checking the agent certificate for renewal", this::renewIfDue),
          renewalCheck.toMillis(),
          renewalCheck.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Control thread: asks the server for a renewed certificate once renewal is due. */
  private void renewIfDue() {
    Channel current = channel;
    if (renewal == null || established == null || current == null) return;
    try {
      renewal
          .requestIfDue(clock.instant())
          .ifPresent(
              csr ->
                  current.writeAndFlush(
                      Envelope.newBuilder()
                          .setRenewRequest(
                              RenewRequest.newBuilder()
                                  .setCsr(com.google.protobuf.ByteString.copyFrom(csr)))
                          .build()));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot renew the agent certificate: {}; trying again later", e.toString());
    }
  }

  /** Control thread: keeps a renewed certificate for the next connection. */
  private void keepRenewed(RenewResponse response) {
    try {
      renewal.accept(response.getCertificate().toByteArray());
    } catch (IOException | RuntimeException e) {
      log.warn("cannot use the renewed certificate: {}", e.toString());
    }
  }

  /**
   * Control thread: one connection attempt. Whatever it throws, the next attempt is scheduled: an
   * agent that stopped reconnecting would never hear from its server again.
   */
  private void connect() {
    try {
      tryConnect();
    } catch (Throwable t) {
      LoopGuard.survived("connecting to " + host + ":" + port, t);
      retryLater(null);
    }
  }

  private void tryConnect() {
    if (closed) {
      return;
    }
    Hello hello;
    try {
      hello = hello(token.read());
    } catch (IOException | RuntimeException e) {
      log.error("cannot read the join token: {}; retrying", e.toString());
      retryLater(null);
      return;
    }
    SslContext context;
    try {
      // Made per connection: a renewed certificate is used from the next one.
      context = tls == null ? null : tls.get();
    } catch (RuntimeException e) {
      log.error("cannot set up TLS: {}; retrying", e.getMessage());
      retryLater(null);
      return;
    }
    ChannelFuture connecting =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) welcomeTimeoutMillis)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(64 * 1024, Protocol.MAX_FRAME_BYTES))
            .handler(initializer(hello, context))
            .connect(host, port);
    channel = connecting.channel();
    connecting.addListener(
        future -> {
          if (!future.isSuccess()) {
            log.info("cannot connect to {}:{}: {}", host, port, future.cause().toString());
            onControl(() -> retryLater(null));
          }
          // On success the handler reports the outcome, including the close.
        });
  }

  /** Control thread: schedules the next attempt. */
  private void retryLater(Refusal.Code refusal) {
    if (closed) {
      return;
    }
    // SUPERSEDED: another agent holds the id; REVOKED: only an operator can change that.
    Duration delay =
        refusal == Refusal.Code.SUPERSEDED || refusal == Refusal.Code.REVOKED
            ? backoff.max()
            : backoff.next();
    log.info("reconnecting to {}:{} in {} ms", host, port, delay.toMillis());
    try {
      control.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // close() won the race; nothing to retry
    }
  }

  private void onControl(Runnable task) {
    try {
      control.execute(task);
    } catch (RejectedExecutionException closing) {
      // close() won the race
    }
  }

  private Hello hello(String joinToken) {
    return Hello.newBuilder()
        .setProtocolVersion(Protocol.VERSION)
        .setHostId(identity.hostId())
        .putAllLabels(identity.labels())
        .setAgentVersion(identity.agentVersion())
        .setDockerVersion(identity.dockerVersion())
        .setJoinToken(joinToken)
        .setHostKey(com.google.protobuf.ByteString.copyFrom(identity.hostKey().bytes()))
        .build();
  }

  private ChannelInitializer<Channel> initializer(Hello hello, SslContext tls) {
    LinkHandler.Events events = new SessionEvents();
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        // Until Welcome, reader idle is the Welcome deadline; LinkHandler then switches to
        // the server's heartbeat interval.
        FramePipeline.install(ch.pipeline(), tls, host, port, welcomeTimeoutMillis, 0);
        ch.pipeline().addLast(CoalescingOutbox.NAME, new CoalescingOutbox());
        ch.pipeline().addLast("link", new LinkHandler(hello, events, clock));
      }
    };
  }

  /** The events of one connection, on the event loop. */
  private final class SessionEvents implements LinkHandler.Events {
    @Override
    public void welcomed(ChannelHandlerContext ctx, Welcome welcome) {
      CoalescingOutbox outbox = (CoalescingOutbox) ctx.pipeline().get(CoalescingOutbox.NAME);
      established = outbox;
      sessions.incrementAndGet();
      log.info(
          "connected to {}:{} as host id '{}' (heartbeat {} ms)",
          host,
          port,
          identity.hostId(),
          welcome.getHeartbeatIntervalMs());
      onControl(backoff::reset);
      onControl(AgentLink.this::renewIfDue);
      StatusReport report = latestReport.get();
      if (report != null) {
        outbox.offer(Envelope.newBuilder().setStatus(report).build());
      }
    }

    @Override
    public void assigned(Assignment assignment) {
      assignments.offer(assignment);
    }

    @Override
    public void acked(long seq) {
      acks.incrementAndGet();
    }

    @Override
    public void renewed(RenewResponse response) {
      if (renewal != null) onControl(() -> keepRenewed(response));
    }

    @Override
    public void closed(Refusal.Code refusalOrNull) {
      established = null;
      if (!closed) {
        onControl(() -> retryLater(refusalOrNull));
      }
    }
  }

  /** Where the join token comes from on each attempt. */
  @FunctionalInterface
  private interface TokenSource {
    String read() throws IOException;
  }

  /** Settings of an {@link AgentLink}; a join token (or its file) is required. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final AgentIdentity identity;
    private final AssignmentHandler handler;
    private TokenSource token = () -> "";
    private Supplier<SslContext> tls;
    private CertificateRenewal renewal;
    private Duration renewalCheck = Duration.ofMinutes(1);
    private Clock clock = Clock.systemUTC();
    private Duration initialBackoff = Duration.ofMillis(200);
    // 5 s, not 30 s: with full jitter an agent that failed 7 times during a restart waited up to
    // 25.6 s, so a fleet needed ~15 s after the server was back (issue 8, row 10). 10,000 agents
    // retrying at most every 5 s are ~2,000 refused connects per second: cheap for any server.
    private Duration maxBackoff = Duration.ofSeconds(5);

    private Builder(String host, int port, AgentIdentity identity, AssignmentHandler handler) {
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      this.identity = Objects.requireNonNull(identity, "identity");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    public Builder joinToken(String token) {
      String value = Objects.requireNonNull(token, "token").strip();
      this.token = () -> value;
      return this;
    }

    /** The server's {@code join-token} file, read again before every connection attempt. */
    public Builder joinTokenFile(Path file) {
      Objects.requireNonNull(file, "file");
      this.token = () -> Files.readString(file, StandardCharsets.US_ASCII).strip();
      return this;
    }

    /** A client TLS context, or null for plain TCP (the default). */
    /** The clock heartbeats are stamped with; the agent's one clock (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder tls(SslContext tlsOrNull) {
      this.tls = tlsOrNull == null ? null : () -> tlsOrNull;
      return this;
    }

    /**
     * TLS made anew before every connection attempt (on the control thread, which may read files):
     * an enrolled agent's renewed certificate is used from the next connection.
     */
    public Builder tlsPerConnection(Supplier<SslContext> tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Renews the enrolled certificate over the link, checked at every Welcome and every {@code
     * check} (a minute in production).
     */
    public Builder renewal(CertificateRenewal renewal, Duration check) {
      this.renewal = Objects.requireNonNull(renewal, "renewal");
      this.renewalCheck = Objects.requireNonNull(check, "check");
      return this;
    }

    /**
     * Reconnect delays: full jitter under a ceiling doubling from initial to max (200 ms, 30 s).
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = Objects.requireNonNull(initial, "initial");
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /** Starts connecting in the background; see {@link AgentLink#isConnected()}. */
    public AgentLink start() {
      return new AgentLink(this).start(renewalCheck);
    }
  }
}
