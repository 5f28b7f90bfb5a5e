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
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import ogp.protocol.FramePipeline;
import ogp.protocol.Protocol;

/**
 * The agent port of a replica that does not lead ({@code ogp server --etcd}): every agent that
 * connects is told where the leader takes agents, and nothing else happens.
 *
 * <p>Policy: a connection's first frame, a Hello or an enrolment request, is answered with a {@code
 * Redirect} naming the leader's agent address and epoch (as the supplier gives them), or, while no
 * leader is known, with the refusal {@code NOT_LEADER} ("try another server"); then the connection
 * closes. The port registers no host, checks no token and touches no state: the leader checks the
 * agent when it gets there. It guards itself as the {@link AgentServer} does: the same pipeline
 * (TLS when given, a {@link TransportProbe} that tells a client speaking the other transport), the
 * same cap of {@link Protocol#HANDSHAKE_MAX_FRAME_BYTES} on the first frame, the same hello timeout
 * and the same {@link PendingHandshakes} caps.
 *
 * <p>With mutual TLS, this port does not ask for a client certificate, whatever the context given
 * says: a redirected agent proves nothing here (it is told only what any replica's status shows),
 * and an agent that is not enrolled yet must be redirected to the leader to enrol there. The agent
 * still verifies this server's certificate, so a redirect over TLS comes from a holder of the
 * server's key; agents follow only addresses of their own {@code --server} list in any case.
 *
 * <p>The supplier is called on Netty event loops, once per connection: it must read memory only.
 * One that throws counts as "no leader known".
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
  private final PendingHandshakes pendingHandshakes;
  private final Counters counters = new Counters();

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
      Duration helloTimeout)
      throws InterruptedException {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(leader, "leader");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    pendingHandshakes =
        new PendingHandshakes(
            PendingHandshakes.DEFAULT_PER_ADDRESS, PendingHandshakes.DEFAULT_TOTAL);
    long helloTimeoutMillis = helloTimeout.toMillis();
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // One loop: a redirect is one small frame each way (a TLS handshake costs more, but a
    // replica's other work needs the cores more than agents that are about to leave).
    workerGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
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
                              new RedirectHandler(
                                  leader, helloTimeoutMillis, admitted.get(), counters));
                    }
                  })
              .bind(bindAddress, port)
              .sync()
              .channel();
    } catch (InterruptedException | RuntimeException e) {
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
    return start(bindAddress, port, tlsOrNull, leader, AgentServer.DEFAULT_HELLO_TIMEOUT);
  }

  /** As {@link #start(String, int, SslContext, Supplier)} with another hello timeout (tests). */
  static RedirectingAgentPort start(
      String bindAddress,
      int port,
      SslContext tlsOrNull,
      Supplier<Optional<LeaderRedirect>> leader,
      Duration helloTimeout)
      throws InterruptedException {
    return new RedirectingAgentPort(bindAddress, port, tlsOrNull, leader, helloTimeout);
  }

  /** The bound port (the ephemeral one when started with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Connections answered with a Redirect since start. */
  public long redirected() {
    return counters.redirected.get();
  }

  /** Connections answered with NOT_LEADER since start. */
  public long refusedWithoutLeader() {
    return counters.noLeader.get();
  }

  /** Connections accepted and not answered (nor closed) yet. */
  int pendingHandshakes() {
    return pendingHandshakes.pending();
  }

  /** Stops accepting, closes every connection and stops the port's threads. */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly();
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
