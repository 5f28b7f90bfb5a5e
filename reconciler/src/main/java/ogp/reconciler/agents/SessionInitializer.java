package ogp.reconciler.agents;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;

/**
 * The one pipeline of an agent connection: the shared codec ({@link FramePipeline}, reader idle
 * after three missed heartbeats), the latest-wins assignment outbox, then the session handler.
 */
final class SessionInitializer extends ChannelInitializer<Channel> {
  private final SslContext tlsOrNull;
  private final SessionSettings settings;

  SessionInitializer(SslContext tlsOrNull, SessionSettings settings) {
    this.tlsOrNull = tlsOrNull;
    this.settings = settings;
  }

  @Override
  protected void initChannel(Channel channel) {
    long readerIdleMillis = 3L * settings.welcome().getHeartbeatIntervalMs();
    FramePipeline.install(channel.pipeline(), tlsOrNull, readerIdleMillis, 0);
    channel.pipeline().addLast(CoalescingOutbox.NAME, new CoalescingOutbox());
    channel.pipeline().addLast("session", new SessionHandler(settings));
  }
}
