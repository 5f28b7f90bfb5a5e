package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import ogp.protocol.v1.Envelope;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.Test;

/** A server bound with acceptLater() answers an agent only once it accepts connections. */
class AcceptLaterTest {
  private static final String TOKEN = "accept-later-token";

  @Test
  void anAgentThatDialsBeforeTheServerAcceptsIsWelcomedOnceItDoes() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), new RecordingListener())
            .bind("127.0.0.1", 0)
            .acceptLater()
            .start()) {
      // The kernel completes the TCP handshake (the port is bound and listening): the agent's
      // connect works and its Hello waits in the socket.
      try (RawAgent early =
          RawAgent.connect(group, "127.0.0.1", server.port(), null)
              .send(Envelope.newBuilder().setHello(RawAgent.hello("early", TOKEN)).build())) {
        // Nothing answers while the server does not accept: a Welcome now would be a bug.
        await()
            .during(Duration.ofMillis(700))
            .atMost(Duration.ofSeconds(5))
            .until(() -> !early.welcomed());
        assertFalse(server.hosts().stream().anyMatch(h -> h.hostId().equals("early")));
        server.acceptConnections();
        await("welcomed once the server accepts")
            .atMost(Duration.ofSeconds(10))
            .until(early::welcomed);
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
