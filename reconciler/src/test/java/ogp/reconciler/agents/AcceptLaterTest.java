package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import ogp.protocol.v1.Envelope;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.Test;

/** A server built with acceptLater() takes agents only once it accepts connections. */
class AcceptLaterTest {
  private static final String TOKEN = "accept-later-token";

  @Test
  void theAgentPortRefusesConnectionsUntilTheServerAcceptsThemThenWelcomesAgents()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), new RecordingListener())
            .bind("127.0.0.1", port)
            .acceptLater()
            .start()) {
      // Not bound yet: a dialling agent is refused (and tries another server, or again later).
      assertThrows(
          ConnectException.class,
          () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
          });
      server.acceptConnections();
      server.acceptConnections(); // idempotent
      assertEquals(port, server.port());
      try (RawAgent agent =
          RawAgent.connect(group, "127.0.0.1", port, null)
              .send(Envelope.newBuilder().setHello(RawAgent.hello("late", TOKEN)).build())) {
        await("welcomed once the server accepts")
            .atMost(Duration.ofSeconds(10))
            .until(agent::welcomed);
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
