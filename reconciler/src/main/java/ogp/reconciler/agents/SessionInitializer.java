package ogp.reconciler.agents;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;
import ogp.protocol.v1.Welcome;

/**
 * The one pipeline of an agent connection: the shared codec ({@link FramePipeline}, reader idle
 * after three missed heartbeats), the latest-wins assignment outbox, then the session handler.
 */
final class SessionInitializer extends ChannelInitializer<Channel> {
  private final SslContext tlsOrNull;
  private final HelloCheck helloCheck;
  private final HostRegistry registry;
  private final Welcome welcome;
  private final long helloTimeoutMillis;
  private final Clock clock;

  SessionInitializer(
      SslContext tlsOrNull,
      HelloCheck helloCheck,
      HostRegistry registry,
      Welcome welcome,
      long helloTimeoutMillis,
      Clock clock) {
    this.tlsOrNull = tlsOrNull;
    this.helloCheck = helloCheck;
    this.registry = registry;
    this.welcome = welcome;
    this.helloTimeoutMillis = helloTimeoutMillis;
    this.clock = clock;
  }

  @Override
  protected void initChannel(Channel channel) {
    FramePipeline.install(
        channel.pipeline(), tlsOrNull, 3L * welcome.getHeartbeatIntervalMs(), 0);
    channel.pipeline().addLast(CoalescingOutbox.NAME, new CoalescingOutbox());
    channel
        .pipeline()
        .addLast(
            "session",
            new SessionHandler(helloCheck, registry, welcome, helloTimeoutMillis, clock));
  }
}
