package ogp.reconciler.agents;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import ogp.protocol.FramePipeline;
import ogp.protocol.Protocol;

/**
 * The agent port of a replica that does not lead ({@code ogp server --etcd}): every agent that
 * connects is told where the leader takes agents, and nothing else happens.
 *
 * <p>Policy: a connection's first frame, a Hello or an enrolment request, is answered with a {@code
 * Redirect} naming the leader's agent address and epoch (as the supplier gives them), then the
 * connection closes. The answer waits until that address accepts connections: a redirect to a
 * leader whose agent port does not answer (dead, or elected with its server still starting) would
 * only send the agent into its backoff. So when the leader known now was not seen answering a TCP
 * probe within the last second, the connection is <em>parked</em> — held open and unanswered — and
 * every parked connection is redirected as soon as a probe of the current leader's agent address
 * succeeds, or answered at the latest after {@link Parking#bound()} (6 s, well under the agent's 10
 * s Welcome timeout) with a Redirect to the leader known then, or the refusal {@code NOT_LEADER}
 * ("try another server") while none is known. While no leader is known the answer is {@code
 * NOT_LEADER} at once, unless this replica itself was elected and cannot name its own address yet
 * (the {@code electedHere} supplier; see {@link #stopAccepting()}): then the connection is parked
 * too. Over {@link Parking#cap()} parked connections a new one is answered {@code NOT_LEADER} at
 * once. See {@link ParkedAgents} and {@link LeaderProbe}.
 *
 * <p>The port registers no host, checks no token and touches no state: the leader checks the agent
 * when it gets there. It guards itself as the {@link AgentServer} does: the same pipeline (TLS when
 * given, a {@link TransportProbe} that tells a client speaking the other transport), the same cap
 * of {@link Protocol#HANDSHAKE_MAX_FRAME_BYTES} on the first frame, the same hello timeout and the
 * same {@link PendingHandshakes} caps. A parked connection keeps its place in those caps until it
 * is answered: it has sent a well-formed frame, but nothing here authenticates it, so it is exactly
 * as cheap for anyone to open as one that sent nothing, and the caps exist to bound what
 * unauthenticated peers make this port hold, per source address and in all. The parking bound does
 * for it what the hello timeout does for a silent one.
 *
 * <p>With mutual TLS, this port does not ask for a client certificate, whatever the context given
 * says: a redirected agent proves nothing here (it is told only what any replica's status shows),
 * and an agent that is not enrolled yet must be redirected to the leader to enrol there. The agent
 * still verifies this server's certificate, so a redirect over TLS comes from a holder of the
 * server's key; agents follow only addresses of their own {@code --server} list in any case.
 *
 * <p>Election hand-over: {@link #stopAccepting()} closes only the listening socket, so this
 * replica's server can bind the port at once, while parked connections stay and are redirected when
 * the server answers (the supplier then names this replica itself); {@link #close()} ends
 * everything.
 *
 * <p>The suppliers are called on Netty event loops and on the parking's thread: they must read
 * memory only. One that throws counts as "no leader known", or "not elected".
 */
public final class RedirectingAgentPort implements AutoCloseable {
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;

  /**
   * Every connection this port accepted. Closing the port closes them too: a connection accepted
   * just before the port closes would otherwise stay open unanswered, and its agent would wait its
   * whole Welcome timeout (10 s) before it tried the next server. Stays closed: one accepted while
   * the port closes is closed at once.
   */
  private final ChannelGroup connections =
      new DefaultChannelGroup("redirecting agent port", GlobalEventExecutor.INSTANCE, true);

  private final Channel serverChannel;
  private final int boundPort;
  private final PendingHandshakes pendingHandshakes;
  private final Counters counters = new Counters();
  private final ParkedAgents parked;

  /** What the port answered since it started, for tests and status. */
  static final class Counters {
    final AtomicLong redirected = new AtomicLong();
    final AtomicLong noLeader = new AtomicLong();
  }

  private RedirectingAgentPort(
      String bindAddress,
      int port,
      SslContext tlsOrNull,
      Supplier<Optional<LeaderRedirect>> leader,
      BooleanSupplier electedHere,
      Duration helloTimeout,
      Parking parking,
      ParkedAgentCounts parkedCounts)
      throws InterruptedException {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(leader, "leader");
    Objects.requireNonNull(electedHere, "electedHere");
    Objects.requireNonNull(parking, "parking");
    Objects.requireNonNull(parkedCounts, "parkedCounts");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    pendingHandshakes =
        new PendingHandshakes(
            PendingHandshakes.DEFAULT_PER_ADDRESS, PendingHandshakes.DEFAULT_TOTAL);
    long helloTimeoutMillis = helloTimeout.toMillis();
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // One loop: a redirect is one small frame each way (a TLS handshake costs more, but a
    // replica's other work needs the cores more than agents that are about to leave).
    workerGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // The probes run on the same loop: a connect never blocks it, and it is idle while agents wait.
    parked = new ParkedAgents(leader, electedHere, parking, parkedCounts, counters, workerGroup);
    try {
      serverChannel =
          new ServerBootstrap()
              .group(bossGroup, workerGroup)
              .channel(NioServerSocketChannel.class)
              // After a failover the whole fleet may knock here at once, as on the leader.
              .option(ChannelOption.SO_BACKLOG, AgentServer.ACCEPT_BACKLOG)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      connections.add(channel);
                      Optional<Runnable> admitted =
                          pendingHandshakes.admit(channel.remoteAddress());
                      if (admitted.isEmpty()) {
                        channel.close();
                        return;
                      }
                      try {
                        FramePipeline.install(
                            channel.pipeline(),
                            tlsOrNull,
                            0,
                            0,
                            Protocol.HANDSHAKE_MAX_FRAME_BYTES);
                        withoutClientCertificate(channel);
                        channel
                            .pipeline()
                            .addFirst(TransportProbe.NAME, new TransportProbe(tlsOrNull != null));
                      } catch (RuntimeException e) {
                        admitted.get().run();
                        throw e;
                      }
                      channel
                          .pipeline()
                          .addLast(
                              "redirect",
                              new RedirectHandler(parked, helloTimeoutMillis, admitted.get()));
                    }
                  })
              .bind(bindAddress, port)
              .sync()
              .channel();
      boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    } catch (InterruptedException | RuntimeException e) {
      parked.close();
      shutdown();
      throw e;
    }
  }

  /**
   * Binds and starts answering; port 0 picks a free one ({@link #port()}).
   *
   * @param tlsOrNull the server's TLS context for the agent port, or null for plain TCP; a client
   *     certificate is never asked for here (see the class's policy)
   * @param leader where the leader takes agents now; empty while none is known
   */
  public static RedirectingAgentPort start(
      String bindAddress, int port, SslContext tlsOrNull, Supplier<Optional<LeaderRedirect>> leader)
      throws InterruptedException {
    return start(
        bindAddress,
        port,
        tlsOrNull,
        leader,
        () -> false,
        Parking.DEFAULT,
        new ParkedAgentCounts());
  }

  /**
   * As {@link #start(String, int, SslContext, Supplier)}, for a replica.
   *
   * @param electedHere whether this replica itself holds the leadership now: while the leader
   *     supplier names nobody (this replica is no target before its {@link #stopAccepting()
   *     hand-over}), agents are then parked rather than told NOT_LEADER
   * @param parking the parking's settings
   * @param parkedCounts the counts the parking adds to (a replica keeps one across its standby
   *     terms)
   */
  public static RedirectingAgentPort start(
      String bindAddress,
      int port,
      SslContext tlsOrNull,
      Supplier<Optional<LeaderRedirect>> leader,
      BooleanSupplier electedHere,
      Parking parking,
      ParkedAgentCounts parkedCounts)
      throws InterruptedException {
    return new RedirectingAgentPort(
        bindAddress,
        port,
        tlsOrNull,
        leader,
        electedHere,
        AgentServer.DEFAULT_HELLO_TIMEOUT,
        parking,
        parkedCounts);
  }

  /** As {@link #start(String, int, SslContext, Supplier)} with another hello timeout (tests). */
  static RedirectingAgentPort start(
      String bindAddress,
      int port,
      SslContext tlsOrNull,
      Supplier<Optional<LeaderRedirect>> leader,
      Duration helloTimeout,
      Parking parking)
      throws InterruptedException {
    return new RedirectingAgentPort(
        bindAddress,
        port,
        tlsOrNull,
        leader,
        () -> false,
        helloTimeout,
        parking,
        new ParkedAgentCounts());
  }

  /**
   * The bound port (the ephemeral one when started with port 0), also once it stopped accepting.
   */
  public int port() {
    return boundPort;
  }

  /** Connections answered with a Redirect since start. */
  public long redirected() {
    return counters.redirected.get();
  }

  /** Connections answered with NOT_LEADER since start. */
  public long refusedWithoutLeader() {
    return counters.noLeader.get();
  }

  /** Connections parked now (see the class's policy). */
  public int parked() {
    return parked.size();
  }

  /**
   * Connections accepted and neither answered nor closed yet: parked ones and those whose first
   * frame has not come. Once {@link #stopAccepting()} was called, 0 means this port holds nothing
   * any more and may close without cutting anyone off.
   */
  public int unanswered() {
    return pendingHandshakes.pending();
  }

  /** Connections accepted and not answered (nor closed) yet. */
  int pendingHandshakes() {
    return pendingHandshakes.pending();
  }

  /**
   * Election hand-over: closes the listening socket only, so that another server (this replica's
   * own, once elected) can bind the port at once. Connections accepted so far stay and are answered
   * as always: parked ones when the leader the supplier names answers, or at the bound. Idempotent;
   * {@link #close()} still ends everything.
   */
  public void stopAccepting() {
    serverChannel.close().awaitUninterruptibly();
  }

  /** Stops accepting, closes every connection (parked ones too) and stops the port's threads. */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly();
    parked.close();
    connections.close().awaitUninterruptibly();
    shutdown();
  }

  private void shutdown() {
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** The TLS engine of this connection asks for no client certificate (a per-engine setting). */
  private static void withoutClientCertificate(Channel channel) {
    if (channel.pipeline().get(FramePipeline.TLS_HANDLER) instanceof SslHandler tls) {
      SSLEngine engine = tls.engine();
      engine.setNeedClientAuth(false);
      engine.setWantClientAuth(false);
    }
  }
}
