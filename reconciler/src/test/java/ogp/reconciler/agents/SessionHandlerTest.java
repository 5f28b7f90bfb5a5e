package ogp.reconciler.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.protocol.v1.StatusReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server pipeline of one connection, without sockets. */
class SessionHandlerTest {
  private static final String TOKEN = ServerConnection.TOKEN;

  private final ServerConnection connection = new ServerConnection();
  private final RecordingListener listener = connection.listener;
  private final HostRegistry registry = connection.registry;
  private final EmbeddedChannel channel = connection.channel;

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void helloWithTheRightTokenIsWelcomedAndRegistered() throws IOException {
    channel.writeInbound(frame(hello("h1", TOKEN, Protocol.VERSION)));

    Envelope reply = readReply();
    assertTrue(reply.hasWelcome(), reply.toString());
    assertEquals(5000, reply.getWelcome().getHeartbeatIntervalMs());
    assertTrue(channel.isOpen());
    assertTrue(registry.host("h1").orElseThrow().connected());
    assertEquals(List.of("connected:h1"), listener.events);
  }

  @Test
  void heartbeatIsAckedAndReportReachesTheListener() throws IOException {
    channel.writeInbound(frame(hello("h1", TOKEN, Protocol.VERSION)));
    readReply();

    channel.writeInbound(
        frame(Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSeq(7)).build()));
    channel.writeInbound(
        frame(
            Envelope.newBuilder().setStatus(StatusReport.newBuilder().setRevision("r1")).build()));

    assertEquals(7, readReply().getAck().getSeq());
    assertEquals(List.of("connected:h1", "report:h1:r1"), listener.events);
  }

  @Test
  void wrongTokenIsRefusedAndClosed() throws IOException {
    channel.writeInbound(frame(hello("h1", "not-the-token", Protocol.VERSION)));

    assertRefused(Refusal.Code.BAD_TOKEN);
    assertTrue(registry.hosts().isEmpty());
    assertTrue(listener.events.isEmpty());
  }

  @Test
  void otherProtocolVersionIsRefused() throws IOException {
    channel.writeInbound(frame(hello("h1", TOKEN, Protocol.VERSION + 1)));

    assertRefused(Refusal.Code.UNSUPPORTED_PROTOCOL);
  }

  @Test
  void messageBeforeHelloIsAProtocolError() throws IOException {
    channel.writeInbound(
        frame(Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSeq(1)).build()));

    assertRefused(Refusal.Code.PROTOCOL_ERROR);
  }

  @Test
  void secondHelloIsAProtocolErrorAndDisconnectsTheHost() throws IOException {
    channel.writeInbound(frame(hello("h1", TOKEN, Protocol.VERSION)));
    readReply();

    channel.writeInbound(frame(hello("h1", TOKEN, Protocol.VERSION)));

    assertRefused(Refusal.Code.PROTOCOL_ERROR);
    assertEquals(List.of("connected:h1", "disconnected:h1"), listener.events);
  }

  @Test
  void garbageFrameClosesTheConnectionWithoutEscapingException() {
    channel.writeInbound(
        Unpooled.wrappedBuffer(
            new byte[] {5, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));

    assertFalse(channel.isOpen());
    channel.checkException(); // nothing reached the end of the pipeline
    assertTrue(registry.hosts().isEmpty());
  }

  @Test
  void oversizeLengthPrefixClosesTheConnectionWithoutEscapingException() throws IOException {
    ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream out =
        com.google.protobuf.CodedOutputStream.newInstance(prefix);
    out.writeUInt32NoTag(Protocol.MAX_FRAME_BYTES + 1);
    out.flush();
    channel.writeInbound(Unpooled.wrappedBuffer(prefix.toByteArray(), new byte[64]));

    assertFalse(channel.isOpen());
    channel.checkException();
  }

  private void assertRefused(Refusal.Code code) throws IOException {
    Envelope reply = readReply();
    assertEquals(code, reply.getRefusal().getCode(), reply.toString());
    assertFalse(reply.getRefusal().getReason().isBlank());
    assertFalse(channel.isOpen(), "closed after the refusal");
  }

  private Envelope readReply() throws IOException {
    ByteBuf out = channel.readOutbound();
    try {
      return Envelope.parseDelimitedFrom(new ByteBufInputStream(out));
    } finally {
      out.release();
    }
  }

  private static Envelope hello(String hostId, String token, int version) {
    return Envelope.newBuilder()
        .setHello(
            Hello.newBuilder()
                .setProtocolVersion(version)
                .setHostId(hostId)
                .setJoinToken(token)
                .setHostKey(com.google.protobuf.ByteString.copyFrom(RawAgent.key(hostId)))
                .setAgentVersion("test")
                .setDockerVersion("27.0"))
        .build();
  }

  private static ByteBuf frame(Envelope envelope) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    envelope.writeDelimitedTo(bytes);
    return Unpooled.wrappedBuffer(bytes.toByteArray());
  }
}
