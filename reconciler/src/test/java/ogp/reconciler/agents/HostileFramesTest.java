package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile frames close that one connection and nothing else. The corpus under {@code corpus/frames}
 * (hex, with {@code # expect: open|closed|refused:<CODE>}) keeps every input worth replaying; the
 * socket test runs a good agent alongside hostile clients.
 */
class HostileFramesTest {

  static Stream<Path> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(HostileFramesTest.class.getResource("/corpus/frames").toURI());
    return Files.list(dir).filter(p -> p.toString().endsWith(".hex")).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void corpusInputEndsAsExpectedWithoutAnEscapingException(Path input) throws IOException {
    List<String> lines = Files.readAllLines(input);
    String expect =
        lines.stream()
            .filter(l -> l.startsWith("# expect:"))
            .findFirst()
            .orElseThrow()
            .substring("# expect:".length())
            .strip();
    byte[] bytes =
        HexFormat.of()
            .parseHex(
                String.join("", lines.stream().filter(l -> !l.startsWith("#")).toList())
                    .replaceAll("\\s", ""));

    try (ServerConnection connection = new ServerConnection()) {
      connection.receive(bytes);
      List<Envelope> replies = connection.replies();
      if (expect.equals("open")) {
        assertTrue(connection.channel.isOpen(), input + " should leave the connection open");
      } else {
        assertFalse(connection.channel.isOpen(), input + " should close the connection");
      }
      if (expect.startsWith("refused:")) {
        Refusal refusal =
            replies.stream().filter(Envelope::hasRefusal).findFirst().orElseThrow().getRefusal();
        assertEquals(
            Refusal.Code.valueOf(expect.substring("refused:".length())), refusal.getCode());
      }
    }
  }

  @Test
  void hostileClientsCloseOnlyTheirOwnConnectionsWhileAGoodAgentKeepsBeingServed()
      throws Exception {
    String token = "socket-token";
    RecordingListener listener = new RecordingListener();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (AgentServer server =
            AgentServer.builder(SecretToken.of(token), listener)
                .bind("127.0.0.1", 0)
                .heartbeatInterval(Duration.ofMillis(100))
                .start();
        AgentLink good =
            AgentLink.builder(
                    "127.0.0.1",
                    server.port(),
                    new AgentIdentity("good", Map.of(), "test", "27.0"),
                    a -> {})
                .joinToken(token)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .start()) {
      await("good agent connected").until(good::isConnected);
      long sessionsBefore = good.sessions();

      RawAgent garbage =
          RawAgent.connect(group, server.port())
              .sendBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
      RawAgent huge =
          RawAgent.connect(group, server.port())
              .sendBytes(new byte[] {(byte) 0x81, (byte) 0x80, (byte) 0x80, 0x02});
      RawAgent early =
          RawAgent.connect(group, server.port())
              .send(Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSeq(1)).build());
      RawAgent pretender =
          RawAgent.connect(group, server.port())
              .send(Envelope.newBuilder().setHello(RawAgent.hello("pretender", token)).build())
              .send(
                  Envelope.newBuilder()
                      .setAssignment(Assignment.newBuilder().setRevision("evil"))
                      .build());

      for (RawAgent hostile : List.of(garbage, huge, early, pretender)) {
        assertTrue(hostile.closesWithin(10), "the server closes a hostile connection");
      }
      assertEquals(Refusal.Code.PROTOCOL_ERROR, early.refusal().orElseThrow().getCode());
      assertEquals(Refusal.Code.PROTOCOL_ERROR, pretender.refusal().orElseThrow().getCode());

      // The good agent never lost its session and is still heard.
      long acks = good.acks();
      await("good agent still acked").until(() -> good.acks() >= acks + 3);
      assertTrue(good.isConnected());
      assertEquals(sessionsBefore, good.sessions());
      assertTrue(server.host("good").orElseThrow().connected());
      // And the server still welcomes newcomers.
      try (RawAgent newcomer =
          RawAgent.connect(group, server.port())
              .send(Envelope.newBuilder().setHello(RawAgent.hello("newcomer", token)).build())) {
        await("newcomer welcomed").until(newcomer::welcomed);
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
