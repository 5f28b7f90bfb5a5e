package ogp.reconciler.agents;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;
import ogp.protocol.Protocol;

/**
 * The one pipeline of an agent connection: the shared codec ({@link FramePipeline}, reader idle
 * after three missed heartbeats, frames of at most {@link Protocol#HANDSHAKE_MAX_FRAME_BYTES} until
 * the Welcome), the {@link CommandFenceHandler} that stamps and gates command frames, the
 * latest-wins assignment outbox, then the session handler; in front of them all a {@link
 * TransportProbe} that tells a client speaking plain TCP on a TLS port (or TLS on a plain one) so.
 * A connection over the {@link PendingHandshakes} caps is closed here, before any handler reads
 * from it.
 */
final class SessionInitializer extends ChannelInitializer<Channel> {
  private final SslContext tlsOrNull;
  private final SessionSettings settings;
  private final CommandFence fence;
  private final FencedCommands fenced;

  /** A single server's pipeline: commands always, at epoch 0. */
  SessionInitializer(SslContext tlsOrNull, SessionSettings settings) {
    this(tlsOrNull, settings, CommandFence.SINGLE_NODE, new FencedCommands());
  }

  SessionInitializer(
      SslContext tlsOrNull, SessionSettings settings, CommandFence fence, FencedCommands fenced) {
    this.tlsOrNull = tlsOrNull;
    this.settings = settings;
    this.fence = fence;
    this.fenced = fenced;
  }

  @Override
  protected void initChannel(Channel channel) {
    Optional<Runnable> admitted = settings.pendingHandshakes().admit(channel.remoteAddress());
    if (admitted.isEmpty()) {
      channel.close();
      return;
    }
    long readerIdleMillis = 3L * settings.welcome().getHeartbeatIntervalMs();
    try {
      FramePipeline.install(
          channel.pipeline(), tlsOrNull, readerIdleMillis, 0, Protocol.HANDSHAKE_MAX_FRAME_BYTES);
      channel.pipeline().addLast(CommandFenceHandler.NAME, new CommandFenceHandler(fence, fenced));
      channel.pipeline().addLast(CoalescingOutbox.NAME, new CoalescingOutbox());
      // In front of TLS: a client speaking the other way is told so in a frame it can read.
      channel.pipeline().addFirst(TransportProbe.NAME, new TransportProbe(tlsOrNull != null));
    } catch (RuntimeException e) {
      // No SessionHandler will ever release the place (e.g. the TLS engine could not be made).
      admitted.get().run();
      throw e;
    }
    channel.pipeline().addLast("session", new SessionHandler(settings, admitted.get()));
  }
}
