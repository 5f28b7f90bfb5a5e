package ogp.protocol;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import ogp.protocol.v1.Envelope;

/**
 * Installs the codec handlers both sides share, in Netty's canonical order: TLS (when given), idle
 * detection, a varint32 frame decoder bounded by {@link Protocol#MAX_FRAME_BYTES}, the {@link
 * Envelope} decoder, the length prepender and the encoder. The caller adds its own handler after
 * these.
 */
public final class FramePipeline {
  /** Name of the {@link io.netty.handler.ssl.SslHandler} in the pipeline, when TLS is on. */
  public static final String TLS_HANDLER = "tls";

  private static final String FRAME_DECODER = "frameDecoder";

  private FramePipeline() {}

  /**
   * @param tlsOrNull TLS context for this side, or null for plain TCP
   * @param readerIdleMillis fire an IdleStateEvent when nothing was read for this long (0: never)
   * @param writerIdleMillis fire an IdleStateEvent when nothing was written for this long (0:
   *     never)
   */
  public static void install(
      ChannelPipeline pipeline,
      SslContext tlsOrNull,
      long readerIdleMillis,
      long writerIdleMillis) {
    install(pipeline, tlsOrNull, null, 0, readerIdleMillis, writerIdleMillis);
  }

  /**
   * As {@link #install(ChannelPipeline, SslContext, long, long)}, for a client that must verify the
   * name of the server it dials: the TLS engine is told the peer's host so that endpoint
   * identification (and SNI) can check it against the server certificate.
   *
   * @param peerHostOrNull the host name or address the client dialed; null on the server side
   */
  public static void install(
      ChannelPipeline pipeline,
      SslContext tlsOrNull,
      String peerHostOrNull,
      int peerPort,
      long readerIdleMillis,
      long writerIdleMillis) {
    install(
        pipeline,
        tlsOrNull,
        peerHostOrNull,
        peerPort,
        readerIdleMillis,
        writerIdleMillis,
        Protocol.MAX_FRAME_BYTES);
  }

  /**
   * As {@link #install(ChannelPipeline, SslContext, long, long)}, with a smaller frame limit to
   * start with: the server reads at most {@link Protocol#HANDSHAKE_MAX_FRAME_BYTES} until it has
   * welcomed the agent, then calls {@link #raiseFrameLimit}.
   */
  public static void install(
      ChannelPipeline pipeline,
      SslContext tlsOrNull,
      long readerIdleMillis,
      long writerIdleMillis,
      int maxFrameBytes) {
    install(pipeline, tlsOrNull, null, 0, readerIdleMillis, writerIdleMillis, maxFrameBytes);
  }

  /**
   * Replaces the frame decoder by one bounded by {@link Protocol#MAX_FRAME_BYTES}. Call on the
   * channel's event loop. Bytes the old decoder had buffered are handed to the new one (Netty's
   * replace forwards them), so nothing is lost or decoded twice.
   */
  public static void raiseFrameLimit(ChannelPipeline pipeline) {
    pipeline.replace(
        FRAME_DECODER, FRAME_DECODER, new ProtobufVarint32FrameDecoder(Protocol.MAX_FRAME_BYTES));
  }

  private static void install(
      ChannelPipeline pipeline,
      SslContext tlsOrNull,
      String peerHostOrNull,
      int peerPort,
      long readerIdleMillis,
      long writerIdleMillis,
      int maxFrameBytes) {
    if (tlsOrNull != null) {
      pipeline.addLast(
          TLS_HANDLER,
          peerHostOrNull == null
              ? tlsOrNull.newHandler(pipeline.channel().alloc())
              : tlsOrNull.newHandler(pipeline.channel().alloc(), peerHostOrNull, peerPort));
    }
    pipeline.addLast(
        "idle", new IdleStateHandler(readerIdleMillis, writerIdleMillis, 0, TimeUnit.MILLISECONDS));
    // The decoder refuses a frame whose length prefix is over the limit before reading its body.
    pipeline.addLast(FRAME_DECODER, new ProtobufVarint32FrameDecoder(maxFrameBytes));
    pipeline.addLast("protobufDecoder", new ProtobufDecoder(Envelope.getDefaultInstance()));
    pipeline.addLast("framePrepender", new ProtobufVarint32LengthFieldPrepender());
    pipeline.addLast("protobufEncoder", new ProtobufEncoder());
  }
}
