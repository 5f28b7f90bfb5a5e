package ogp.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import ogp.protocol.v1.Envelope;

/**
 * A latest-wins writer for one channel, for messages that each replace the previous one in full (an
 * assignment, a status report). At most one message waits: while the channel is not writable (the
 * peer reads slower than we write), a newer message replaces the waiting one instead of queueing
 * behind it, so a slow peer costs one message of memory, never an unbounded queue.
 *
 * <p>{@link #offer} is thread-safe; the write itself always happens on the channel's event loop.
 * Add this handler to the pipeline after the codec so it sees writability changes.
 */
public final class CoalescingOutbox extends ChannelInboundHandlerAdapter {
  /** The pipeline name both sides use for it. */
  public static final String NAME = "outbox";

  private final AtomicReference<Envelope> pending = new AtomicReference<>();
  private volatile Channel channel;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  /**
   * Queues {@code message} as the one to write next, replacing any message still waiting.
   *
   * @return false when the channel is not (or no longer) open; the message is then dropped
   */
  public boolean offer(Envelope message) {
    Channel ch = channel;
    if (ch == null || !ch.isActive()) {
      return false;
    }
    // Only the offer that finds the slot empty schedules a flush; later ones just replace.
    if (pending.getAndSet(message) == null) {
      try {
        ch.eventLoop().execute(this::flush);
      } catch (RejectedExecutionException shuttingDown) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      flush();
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void flush() {
    Channel ch = channel;
    if (!ch.isWritable()) {
      return; // channelWritabilityChanged flushes once the peer has caught up
    }
    Envelope next = pending.getAndSet(null);
    if (next != null) {
      ch.writeAndFlush(next).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
  }
}
