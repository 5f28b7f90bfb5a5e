package ogp.reconciler.agents;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LogText;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a {@link RedirectingAgentPort}: the first frame (a Hello or an enrolment
 * request, within the hello timeout) is answered with a Redirect to the leader, or a {@code
 * NOT_LEADER} refusal, at once or after it was parked ({@link ParkedAgents} decides), and the
 * connection closes after the answer. Anything else first is a {@code PROTOCOL_ERROR}; garbage or
 * an oversized frame closes the connection with one log line, as on the {@link AgentServer}.
 * Nothing of the frame is checked nor kept: the leader checks the agent when it gets there. Runs on
 * the event loop; so does the answer to a parked connection.
 */
final class RedirectHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(RedirectHandler.class);

  static final String NO_LEADER =
      "this server is not the leader and no leader is elected yet; try another server";

  private final ParkedAgents parking;
  private final long helloTimeoutMillis;
  private final Runnable handshakeDone;
  private boolean answered; // a first frame was read, or the connection is being closed
  private ScheduledFuture<?> deadline;

  RedirectHandler(ParkedAgents parking, long helloTimeoutMillis, Runnable handshakeDone) {
    this.parking = parking;
    this.helloTimeoutMillis = helloTimeoutMillis;
    this.handshakeDone = handshakeDone;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!answered) {
                    log.debug(
                        "closing connection from {}: no Hello within {} ms",
                        Session.describe(ctx.channel()),
                        helloTimeoutMillis);
                    answered = true;
                    ctx.close();
                  }
                },
                helloTimeoutMillis,
                TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope message) {
    if (answered) return;
    answered = true;
    deadline.cancel(false);
    if (!message.hasHello() && !message.hasEnrollRequest()) {
      log.warn(
          "refused connection from {}: PROTOCOL_ERROR (expected Hello first, got {})",
          Session.describe(ctx.channel()),
          message.getBodyCase());
      answer(
          ctx,
          Envelope.newBuilder()
              .setRefusal(
                  HelloCheck.refusal(
                      Refusal.Code.PROTOCOL_ERROR,
                      "expected Hello first, got " + message.getBodyCase()))
              .build());
      return;
    }
    // The parking holds the place in the PendingHandshakes caps until the answer (channelInactive).
    Optional<Envelope> now = parking.arrive(ctx.channel(), later -> answer(ctx, later));
    now.ifPresent(answer -> answer(ctx, answer));
  }

  /** Event loop: sends the answer and closes, unless the connection closed meanwhile. */
  private void answer(ChannelHandlerContext ctx, Envelope answer) {
    if (!ctx.channel().isActive()) return;
    if (log.isDebugEnabled()) {
      log.debug(
          "answered {}: {}",
          Session.describe(ctx.channel()),
          answer.hasRedirect()
              ? "Redirect to "
                  + LogText.quote(answer.getRedirect().getAgentAddress())
                  + " (epoch "
                  + answer.getRedirect().getEpoch()
                  + ")"
              : answer.getRefusal().getCode().toString());
    }
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    parking.left(ctx.channel());
    handshakeDone.run();
    if (deadline != null) deadline.cancel(false);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Garbage, an oversize frame or a reset connection: end this connection only, log once.
    if (!answered) {
      answered = true;
      log.warn(
          "closing connection from {}: {}",
          Session.describe(ctx.channel()),
          LogText.quote(cause.toString(), SessionHandler.REASON_SHOWN));
    }
    ctx.close();
  }
}
