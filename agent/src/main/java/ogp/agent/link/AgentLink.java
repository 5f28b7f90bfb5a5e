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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
import ogp.agent.replicas.LeaderEpoch;
import ogp.agent.replicas.RedirectCheck;
import ogp.agent.replicas.ServerAddress;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Redirect;
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
 * <p>Replicas. The link knows a list of servers ({@code --server a:7070,b:7070}; one entry behaves
 * as a single server always did). It dials one; when that fails or the connection ends, it dials
 * the next in the list after the backoff. A replica that does not lead answers with a Redirect to
 * the leader: the link follows it at once only to an address of its own list (same host ignoring
 * case, same port) and only when its epoch is not below the highest seen; otherwise it logs an
 * error naming why, counts it ({@link #redirectsRefused()}) and dials the next server after the
 * backoff. More redirects in a row than there are servers, without a Welcome, wait the backoff too
 * (replicas that disagree about the leader must not make the agent spin). {@code NOT_LEADER} (no
 * leader known yet) moves to the next server after the backoff.
 *
 * <p>Fencing ({@link LeaderEpoch}). A Welcome whose epoch is below the highest seen ends that
 * session (an error, counted in {@link #staleSessionsRefused()}) and the link dials the next
 * server. An Assignment below it is refused: never handed on, logged as an error with both epochs
 * and the server, counted in {@link #staleCommandsRefused()}; every status report carries that
 * count and the highest epoch, and the latest report is sent again at once when the count rises. A
 * higher epoch raises the highest; it is written to the data dir before the assignment that raised
 * it is handed on. Epoch 0 (a single server) is always accepted and changes nothing.
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

  private final List<ServerAddress> servers;
  private final LeaderEpoch epochs;
  private final AgentIdentity identity;
  private final TokenSource token;
  private final Supplier<SslContext> tls; // null: plain TCP; asked before every connection
  private final CertificateRenewal renewal; // null: no renewal
  private final Clock clock;

  /** How long connecting plus waiting for Welcome may take. */
  private final long welcomeTimeoutMillis = Duration.ofSeconds(10).toMillis();

  private final Backoff backoff; // control thread only
  private boolean revokedLogged; // control thread only: REVOKED is logged once, not every attempt
  private int current; // control thread only: the index in servers of the one to dial
  private int redirectsSinceWelcome; // control thread only
  private final EventLoopGroup group;
  private final ScheduledExecutorService control;
  private final ExecutorService assignmentThread;
  private final LatestAssignment assignments;

  private final AtomicReference<StatusReport> latestReport = new AtomicReference<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicLong acks = new AtomicLong();
  private final AtomicLong staleCommands = new AtomicLong();
  private final AtomicLong staleSessions = new AtomicLong();
  private final AtomicLong redirectsFollowed = new AtomicLong();
  private final AtomicLong redirectsRefused = new AtomicLong();
  private volatile ServerAddress connectedTo; // null unless welcomed
  private volatile CoalescingOutbox established; // null unless welcomed on the current channel
  private volatile Channel channel;
  private volatile boolean closed;

  private AgentLink(Builder b) {
    servers = b.servers;
    epochs = b.epochs;
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
    AssignmentHandler handler = b.handler;
    assignments =
        new LatestAssignment(
            assignment -> {
              // Again here: a newer leader's Welcome may have come while this one waited.
              if (epochs.stale(assignment.getEpoch())) {
                refuseStale(assignment, null);
                return;
              }
              epochs.persist(); // before the assignment acts: a restarted agent stays fenced
              handler.onAssignment(assignment);
            },
            assignmentThread);
  }

  /** A link to one server. */
  public static Builder builder(
      String host, int port, AgentIdentity identity, AssignmentHandler handler) {
    return new Builder(List.of(new ServerAddress(host, port)), identity, handler);
  }

  /** A link to any of the replicas in {@code servers} (at least one), dialled in this order. */
  public static Builder builder(
      List<ServerAddress> servers, AgentIdentity identity, AssignmentHandler handler) {
    return new Builder(servers, identity, handler);
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
      outbox.offer(Envelope.newBuilder().setStatus(stamped(report)).build());
    }
  }

  /** The report with this link's fencing numbers, which only the link knows. */
  private StatusReport stamped(StatusReport report) {
    long refused = staleCommands.get();
    long highest = epochs.highest();
    if (report.getStaleCommandsRefused() == refused && report.getHighestEpoch() == highest) {
      return report; // a single server's agent sends its reports as they are
    }
    return report.toBuilder().setStaleCommandsRefused(refused).setHighestEpoch(highest).build();
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

  /** The server of the current session, while welcomed. */
  public Optional<ServerAddress> connectedTo() {
    return Optional.ofNullable(connectedTo);
  }

  /** The highest leader epoch seen (kept in the data dir when the link has one). */
  public long highestEpoch() {
    return epochs.highest();
  }

  /** Assignments refused since start because their epoch was below the highest seen. */
  public long staleCommandsRefused() {
    return staleCommands.get();
  }

  /** Sessions closed since start because the Welcome's epoch was below the highest seen. */
  public long staleSessionsRefused() {
    return staleSessions.get();
  }

  /** Redirects followed since start. */
  public long redirectsFollowed() {
    return redirectsFollowed.get();
  }

  /** Redirects refused since start: to an address not in the list, or at a stale epoch. */
  public long redirectsRefused() {
    return redirectsRefused.get();
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
      LoopGuard.survived("connecting to " + servers.get(current), t);
      next();
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
    ServerAddress server = servers.get(current);
    ChannelFuture connecting =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) welcomeTimeoutMillis)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(64 * 1024, Protocol.MAX_FRAME_BYTES))
            .handler(initializer(hello, context, server))
            .connect(server.host(), server.port());
    channel = connecting.channel();
    connecting.addListener(
        future -> {
          if (!future.isSuccess()) {
            log.info("cannot connect to {}: {}", server, future.cause().toString());
            onControl(
                () -> {
                  next();
                  retryLater(null);
                });
          }
          // On success the handler reports the outcome, including the close.
        });
  }

  /** Control thread: a REVOKED refusal, logged as one error until the next Welcome. */
  private void revoked(String reason) {
    if (revokedLogged) {
      log.debug("still revoked: {}", reason);
      return;
    }
    revokedLogged = true;
    log.error(
        "server refused host id '{}': REVOKED ({}); an admin revoked this host. Its containers"
            + " are left running as last assigned; retrying every {} ms until an operator decides",
        identity.hostId(),
        reason,
        backoff.max().toMillis());
  }

  /** Control thread: the next server of the list is the one to dial (the same with one). */
  private void next() {
    current = (current + 1) % servers.size();
  }

  /** Control thread: after a connection ended, dials the leader it named or the next server. */
  private void ended(ServerAddress from, Refusal refusal, Redirect redirect) {
    if (closed) {
      return;
    }
    if (redirect != null && follow(from, redirect)) {
      return;
    }
    if (refusal != null && refusal.getCode() == Refusal.Code.REVOKED) {
      revoked(refusal.getReason());
    }
    next();
    retryLater(refusal == null ? null : refusal.getCode());
  }

  /**
   * Control thread: follows a redirect when the list names its address and its epoch is not stale;
   * false (logged, counted) otherwise.
   */
  private boolean follow(ServerAddress from, Redirect redirect) {
    RedirectCheck check = RedirectCheck.of(redirect, servers, epochs.highest());
    if (!check.followed()) {
      redirectsRefused.incrementAndGet();
      log.error("refused the redirect of {} {}; trying the next server", from, check.refusal());
      return false;
    }
    current = ServerAddress.indexIn(servers, check.target().get()).orElseThrow();
    redirectsFollowed.incrementAndGet();
    if (redirectsSinceWelcome++ < servers.size()) {
      log.info(
          "{} redirects to the leader at {} (epoch {})",
          from,
          servers.get(current),
          Long.toUnsignedString(redirect.getEpoch()));
      onControl(this::connect);
    } else {
      // Replicas that keep sending the agent round (disagreeing about the leader during an
      // election) must not make it spin: from here on, redirects wait the backoff.
      retryLater(null);
    }
    return true;
  }

  /**
   * An assignment below the highest epoch: refused, logged with both epochs, counted; the latest
   * report goes out again so the count reaches the server. Any thread.
   */
  private void refuseStale(Assignment assignment, ServerAddress fromOrNull) {
    long count = staleCommands.incrementAndGet();
    log.error(
        "refused the assignment of revision {} (generation {}){}: its epoch {} is below the"
            + " highest seen, {} (a deposed leader's); {} refused since start",
        LogText.quote(assignment.getRevision(), 100),
        assignment.getGeneration(),
        fromOrNull == null ? "" : " from " + fromOrNull,
        Long.toUnsignedString(assignment.getEpoch()),
        Long.toUnsignedString(epochs.highest()),
        count);
    StatusReport report = latestReport.get();
    CoalescingOutbox outbox = established;
    if (report != null && outbox != null) {
      outbox.offer(Envelope.newBuilder().setStatus(stamped(report)).build());
    }
  }

  /** Writes a raised epoch to the data dir, on the one thread that writes it. */
  private void persistEpochSoon() {
    try {
      assignmentThread.execute(LoopGuard.guarded("keeping the leader epoch", epochs::persist));
    } catch (RejectedExecutionException closing) {
      // close() won the race; the epoch is written with the next assignment of the next run
    }
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
    log.info("reconnecting to {} in {} ms", servers.get(current), delay.toMillis());
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

  private ChannelInitializer<Channel> initializer(
      Hello hello, SslContext tls, ServerAddress server) {
    LinkHandler.Events events = new SessionEvents(server);
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        // Until Welcome, reader idle is the Welcome deadline; LinkHandler then switches to
        // the server's heartbeat interval.
        FramePipeline.install(
            ch.pipeline(), tls, server.host(), server.port(), welcomeTimeoutMillis, 0);
        ch.pipeline().addLast(CoalescingOutbox.NAME, new CoalescingOutbox());
        ch.pipeline().addLast("link", new LinkHandler(hello, events, clock));
      }
    };
  }

  /** The events of one connection, on the event loop. */
  private final class SessionEvents implements LinkHandler.Events {
    private final ServerAddress server;

    SessionEvents(ServerAddress server) {
      this.server = server;
    }

    @Override
    public boolean accepts(Welcome welcome) {
      if (epochs.stale(welcome.getEpoch())) {
        long count = staleSessions.incrementAndGet();
        log.error(
            "closing the session with {}: its epoch {} is below the highest seen, {} (a deposed"
                + " leader's); {} refused since start; trying the next server",
            server,
            Long.toUnsignedString(welcome.getEpoch()),
            Long.toUnsignedString(epochs.highest()),
            count);
        return false;
      }
      if (epochs.raise(welcome.getEpoch())) persistEpochSoon();
      return true;
    }

    @Override
    public void welcomed(ChannelHandlerContext ctx, Welcome welcome) {
      CoalescingOutbox outbox = (CoalescingOutbox) ctx.pipeline().get(CoalescingOutbox.NAME);
      connectedTo = server;
      established = outbox;
      sessions.incrementAndGet();
      log.info(
          "connected to {} as host id '{}' (heartbeat {} ms{})",
          server,
          identity.hostId(),
          welcome.getHeartbeatIntervalMs(),
          welcome.getEpoch() == 0
              ? ""
              : ", leader epoch " + Long.toUnsignedString(welcome.getEpoch()));
      onControl(backoff::reset);
      onControl(() -> redirectsSinceWelcome = 0);
      onControl(() -> revokedLogged = false); // welcomed: a later revocation is news again
      onControl(AgentLink.this::renewIfDue);
      StatusReport report = latestReport.get();
      if (report != null) {
        outbox.offer(Envelope.newBuilder().setStatus(stamped(report)).build());
      }
    }

    @Override
    public void assigned(Assignment assignment) {
      if (epochs.stale(assignment.getEpoch())) {
        refuseStale(assignment, server);
        return;
      }
      epochs.raise(assignment.getEpoch()); // written before it is handed on (LatestAssignment)
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
    public void closed(Refusal refusalOrNull, Redirect redirectOrNull) {
      established = null;
      connectedTo = null;
      if (!closed) {
        onControl(() -> ended(server, refusalOrNull, redirectOrNull));
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
    private final List<ServerAddress> servers;
    private LeaderEpoch epochs = LeaderEpoch.inMemory();
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

    private Builder(
        List<ServerAddress> servers, AgentIdentity identity, AssignmentHandler handler) {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("a link needs at least one server");
      }
      this.servers = List.copyOf(servers);
      this.identity = Objects.requireNonNull(identity, "identity");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Where the highest leader epoch is kept (default: in memory only); the agent's is {@link
     * LeaderEpoch#in(Path) in its data dir}.
     */
    public Builder leaderEpoch(LeaderEpoch epochs) {
      this.epochs = Objects.requireNonNull(epochs, "epochs");
      return this;
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
