package ogp.reconciler.agents;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Welcome;
import ogp.reconciler.auth.SecretToken;

/**
 * One server-side connection without a socket: the real pipeline in an {@link EmbeddedChannel}, for
 * feeding it whatever bytes a hostile peer could send and reading what the server answers.
 */
final class ServerConnection implements AutoCloseable {
  static final String TOKEN = "the-join-token";

  final RecordingListener listener = new RecordingListener();
  final HostRegistry registry =
      new HostRegistry(new ListenerQueue(listener, Runnable::run), 15_000, 0);
  final EmbeddedChannel channel =
      new EmbeddedChannel(
          new SessionInitializer(
              null,
              new SessionSettings(
                  new HelloCheck(
                      ogp.reconciler.auth.TokenVerifier.single(
                          "join", ogp.reconciler.auth.Role.JOIN, SecretToken.of(TOKEN)),
                      HostBindings.inMemory()),
                  registry,
                  Welcome.newBuilder()
                      .setProtocolVersion(Protocol.VERSION)
                      .setHeartbeatIntervalMs(5000)
                      .setResyncIntervalMs(60000)
                      .build(),
                  10_000,
                  Clock.systemUTC(),
                  new PendingHandshakes(
                      PendingHandshakes.DEFAULT_PER_ADDRESS, PendingHandshakes.DEFAULT_TOTAL),
                  new Enrolment(
                      java.util.Optional.empty(),
                      HostBindings.inMemory(),
                      IdentityEvents.NONE,
                      Clock.systemUTC(),
                      java.util.concurrent.Executors.newSingleThreadExecutor()))));

  /** Feeds raw bytes; any exception that escaped the pipeline is rethrown here. */
  void receive(byte[] bytes) {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    channel.runPendingTasks();
    channel.checkException();
  }

  void receive(Envelope envelope) {
    receive(frame(envelope));
  }

  /** Everything the server wrote back, decoded (the codec's length prefixes removed). */
  List<Envelope> replies() {
    List<Envelope> replies = new ArrayList<>();
    for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
      try {
        int length = readVarint(out);
        byte[] body = new byte[length];
        out.readBytes(body);
        replies.add(Envelope.parseFrom(body));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        out.release();
      }
    }
    return replies;
  }

  static byte[] frame(Envelope envelope) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      envelope.writeDelimitedTo(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static int readVarint(ByteBuf in) {
    int result = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      byte b = in.readByte();
      result |= (b & 0x7f) << shift;
      if (b >= 0) return result;
    }
    throw new IllegalStateException("malformed varint in the server's own output");
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
