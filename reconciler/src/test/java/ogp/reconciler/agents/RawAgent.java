package ogp.reconciler.agents;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import ogp.protocol.FramePipeline;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;

/**
 * A bare client of the agent port for tests that must say what a real agent never would: raw bytes,
 * messages out of order, a Hello that claims another host. Records what the server sends.
 */
final class RawAgent implements AutoCloseable {
  final List<Envelope> received;
  final Channel channel;

  private RawAgent(Channel channel, List<Envelope> received) {
    this.channel = channel;
    this.received = received;
  }

  /** Connects over plain TCP to 127.0.0.1. */
  static RawAgent connect(EventLoopGroup group, int port) throws InterruptedException {
    return connect(group, "127.0.0.1", port, null);
  }

  /**
   * Connects, over TLS when a context is given (verifying the server's name against {@code host}).
   */
  static RawAgent connect(EventLoopGroup group, String host, int port, SslContext tlsOrNull)
      throws InterruptedException {
    List<Envelope> received = new CopyOnWriteArrayList<>();
    Channel channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    FramePipeline.install(
                        ch.pipeline(), tlsOrNull, tlsOrNull == null ? null : host, port, 0, 0);
                    ch.pipeline()
                        .addLast(
                            new SimpleChannelInboundHandler<Envelope>() {
                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
                                received.add(msg);
                              }

                              @Override
                              public void exceptionCaught(
                                  ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                              }
                            });
                  }
                })
            .connect(host, port)
            .sync()
            .channel();
    return new RawAgent(channel, received);
  }

  /** A Hello with the host key {@link #key(String) key(hostId)}: the same host every time. */
  static Hello hello(String hostId, String token) {
    return hello(hostId, token, key(hostId));
  }

  static Hello hello(String hostId, String token, byte[] hostKey) {
    return Hello.newBuilder()
        .setProtocolVersion(Protocol.VERSION)
        .setHostId(hostId)
        .setJoinToken(token)
        .setHostKey(com.google.protobuf.ByteString.copyFrom(hostKey))
        .build();
  }

  /** A fixed 32-byte host key for tests, one per name. */
  static byte[] key(String name) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256")
          .digest(("test host key " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  RawAgent send(Envelope envelope) {
    channel.writeAndFlush(envelope).syncUninterruptibly();
    return this;
  }

  /** Bytes straight onto the connection below the frame codec (through TLS, if any). */
  RawAgent sendBytes(byte[] bytes) {
    // Written from the first handler after TLS, so the codec is skipped but encryption is not.
    channel
        .pipeline()
        .context("idle")
        .writeAndFlush(Unpooled.wrappedBuffer(bytes))
        .awaitUninterruptibly();
    return this;
  }

  /** Whether the TLS handshake succeeded within the time (false when it failed). */
  boolean handshakeSucceeds() {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    return tls.handshakeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS)
        && tls.handshakeFuture().isSuccess();
  }

  Optional<Throwable> handshakeFailure() {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    tls.handshakeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
    return Optional.ofNullable(tls.handshakeFuture().cause());
  }

  boolean closesWithin(long seconds) {
    return channel.closeFuture().awaitUninterruptibly(seconds, TimeUnit.SECONDS);
  }

  boolean welcomed() {
    return received.stream().anyMatch(Envelope::hasWelcome);
  }

  /** Whether a message like this was received. */
  boolean received(java.util.function.Predicate<Envelope> which) {
    return received.stream().anyMatch(which);
  }

  Optional<Refusal> refusal() {
    return received.stream().filter(Envelope::hasRefusal).map(Envelope::getRefusal).findFirst();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
  }
}
