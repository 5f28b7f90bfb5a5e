package ogp.reconciler.agents;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import ogp.protocol.v1.Envelope;

/**
 * The last look at a command frame before it is encoded: a Welcome and an Assignment leave with the
 * {@link CommandFence}'s epoch, and an Assignment is dropped (counted in {@link FencedCommands})
 * when the fence says this server may not command now. Here rather than where the reconciler sends,
 * because an assignment may wait in the {@link ogp.protocol.CoalescingOutbox} while the agent reads
 * slowly, and the fence may close in the meantime: a dropped frame is never written later.
 *
 * <p>The epoch is read before and after {@link CommandFence#mayCommand()}; when it changed (the
 * replica lost its leadership and won another), the frame is dropped rather than stamped with an
 * epoch the check did not vouch for. Runs on the channel's event loop; the fence reads memory only.
 */
final class CommandFenceHandler extends ChannelOutboundHandlerAdapter {
  /** Name in the pipeline: after the encoder, before the outbox and the session handler. */
  static final String NAME = "commandFence";

  private final CommandFence fence;
  private final FencedCommands fenced;
  private volatile String hostId = "(not welcomed yet)"; // for the log line only

  CommandFenceHandler(CommandFence fence, FencedCommands fenced) {
    this.fence = fence;
    this.fenced = fenced;
  }

  /** The host id of this connection once welcomed, for the log line of a dropped frame. */
  void hostId(String hostId) {
    this.hostId = hostId;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof Envelope envelope) {
      switch (envelope.getBodyCase()) {
        case ASSIGNMENT -> {
          long epoch = fence.epoch();
          if (!fence.mayCommand() || fence.epoch() != epoch) {
            fenced.dropped(hostId);
            // Success, not failure: a failed write closes the connection (the outbox closes on
            // failure), and a healthy agent must not reconnect because this server is fenced.
            promise.trySuccess();
            return;
          }
          if (envelope.getAssignment().getEpoch() != epoch) {
            msg =
                envelope.toBuilder()
                    .setAssignment(envelope.getAssignment().toBuilder().setEpoch(epoch))
                    .build();
          }
        }
        case WELCOME -> {
          long epoch = fence.epoch();
          if (envelope.getWelcome().getEpoch() != epoch) {
            msg =
                envelope.toBuilder()
                    .setWelcome(envelope.getWelcome().toBuilder().setEpoch(epoch))
                    .build();
          }
        }
        default -> {}
      }
    }
    ctx.write(msg, promise);
  }
}
