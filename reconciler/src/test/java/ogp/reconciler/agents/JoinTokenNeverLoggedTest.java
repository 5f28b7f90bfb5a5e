package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The join token never appears in the log of the server (nor of the agent, same JVM here): not when
 * an agent is accepted, not when a wrong token (often a near-copy of the right one) is refused, not
 * when a session is refused after the handshake.
 */
class JoinTokenNeverLoggedTest {
  private static final String TOKEN = "join-token-that-must-stay-secret";
  private static final String WRONG = "join-token-that-must-stay-secreT";

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void capture() {
    logged.start();
    root.addAppender(logged);
  }

  @AfterEach
  void release() {
    root.detachAppender(logged);
  }

  @Test
  void acceptedAndRefusedAgentsNeverLogTheToken() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (AgentServer server =
            AgentServer.builder(SecretToken.of(TOKEN), new RecordingListener())
                .bind("127.0.0.1", 0)
                .heartbeatInterval(Duration.ofMillis(100))
                .start();
        AgentLink accepted = link(server, "accepted", TOKEN);
        AgentLink refused = link(server, "refused", WRONG)) {
      await("accepted agent connected").until(accepted::isConnected);
      await("refusal logged")
          .until(this::text, text -> text.contains("refused agent host id \"refused\""));
      try (RawAgent misbehaving =
          RawAgent.connect(group, server.port())
              .send(Envelope.newBuilder().setHello(RawAgent.hello("misbehaving", TOKEN)).build())
              .send(Envelope.newBuilder().setHello(RawAgent.hello("misbehaving", TOKEN)).build())) {
        assertTrue(misbehaving.closesWithin(10));
        Refusal refusal = misbehaving.refusal().orElseThrow();
        assertFalse(refusal.getReason().contains(TOKEN), refusal.getReason());
      }
      try (RawAgent early =
          RawAgent.connect(group, server.port())
              .send(Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder()).build())) {
        assertTrue(early.closesWithin(10));
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    String log = text();
    assertTrue(log.contains("agent host id 'accepted' connected"), log);
    assertFalse(log.contains(TOKEN), log);
    assertFalse(log.contains(WRONG), log);
  }

  private static AgentLink link(AgentServer server, String hostId, String token) {
    return AgentLink.builder(
            "127.0.0.1",
            server.port(),
            new AgentIdentity(hostId, Map.of(), "test", "27.0"),
            a -> {})
        .joinToken(token)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .start();
  }

  /** Every captured message with its arguments and any exception, as an operator would read it. */
  private String text() {
    synchronized (logged) { // the appender appends under its own lock, from the server's threads
      return logged.list.stream()
          .map(
              e ->
                  e.getFormattedMessage()
                      + (e.getThrowableProxy() == null
                          ? ""
                          : " " + e.getThrowableProxy().getMessage()))
          .collect(Collectors.joining("\n"));
    }
  }
}
