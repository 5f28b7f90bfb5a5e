package ogp.reconciler.agents;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of an agent connection: its first bytes tell a TLS client (a TLS record header)
 * from a plain one (a frame), so a client that speaks the other way hears why, instead of a TLS
 * alert or a decoding error.
 *
 * <p>Policy: when the client speaks as the port does, this handler removes itself and the bytes go
 * on unchanged. A plain client on a TLS port gets one plain {@link Refusal} frame {@code
 * TLS_REQUIRED} that says how to enrol, and is closed. A TLS client on a plain port gets a plain
 * {@code PROTOCOL_ERROR} Refusal (its TLS layer then fails on a record that is no TLS, which the
 * agent reports in one line) and is closed. Both are logged once per connection, like every
 * refusal. A valid frame can never look like a TLS record: a length of 20 to 23 would be followed
 * by the tag byte 3, field number 0, which protobuf does not have.
 */
final class TransportProbe extends ByteToMessageDecoder {
  private static final Logger log = LoggerFactory.getLogger(TransportProbe.class);

  /** Name in the pipeline. */
  static final String NAME = "transportProbe";

  /** A TLS record header: type, version, length. */
  private static final int HEADER_BYTES = 5;

  private final boolean tlsPort;
  private boolean refused;

  TransportProbe(boolean tlsPort) {
    this.tlsPort = tlsPort;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (refused) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (!in.isReadable()) {
      return;
    }
    // A TLS record starts with its content type, 20 to 23; any other first byte is a frame's, and
    // need not wait for more (a tiny frame is answered at once, as without this handler).
    int first = in.getUnsignedByte(in.readerIndex());
    boolean maybeTls = first >= 20 && first <= 23;
    if (maybeTls && in.readableBytes() < HEADER_BYTES) {
      return;
    }
    boolean tls = maybeTls && SslHandler.isEncrypted(in, false);
    if (tls == tlsPort) {
      // What was read so far is handed on to the next handler as it is.
      ctx.pipeline().remove(this);
      return;
    }
    in.skipBytes(in.readableBytes());
    refused = true;
    String reason =
        tlsPort
            ? "this server speaks TLS on the agent port and requires mutual TLS: enrol the agent"
                + " (ogp agent enroll --server HOST:PORT --token TOKEN --ca-hash sha256:…; the"
                + " server's operator prints that line with ogp tokens create --kind join"
                + " --print-join-command) or give it its certificate (--tls-ca, --tls-cert,"
                + " --tls-key)"
            : "this server's agent port is plain TCP (it binds only to loopback or was started"
                + " with --insecure-agent-link): connect without TLS";
    log.warn(
        "refused connection from {}: {} client on a {} agent port",
        Session.describe(ctx.channel()),
        tls ? "a TLS" : "a plain-TCP",
        tlsPort ? "TLS" : "plain-TCP");
    Refusal.Code code = tlsPort ? Refusal.Code.TLS_REQUIRED : Refusal.Code.PROTOCOL_ERROR;
    ctx.writeAndFlush(frame(code, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  /** A Refusal as the frame decoder of an agent reads it: a varint32 length, then the Envelope. */
  private static ByteBuf frame(Refusal.Code code, String reason) {
    Envelope refusal = Envelope.newBuilder().setRefusal(HelloCheck.refusal(code, reason)).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      refusal.writeDelimitedTo(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array cannot fail", e);
    }
    return Unpooled.wrappedBuffer(bytes.toByteArray());
  }
}
