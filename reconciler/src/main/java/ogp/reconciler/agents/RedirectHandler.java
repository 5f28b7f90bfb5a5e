package ogp.reconciler.agents;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import ogp.protocol.LogText;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Redirect;
import ogp.protocol.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a {@link RedirectingAgentPort}: the first frame (a Hello or an enrolment
 * request, within the hello timeout) is answered with a Redirect to the leader, or a {@code
 * NOT_LEADER} refusal while none is known, and the connection closes after the answer. Anything
 * else first is a {@code PROTOCOL_ERROR}; garbage or an oversized frame closes the connection with
 * one log line, as on the {@link AgentServer}. Nothing of the frame is checked nor kept: the leader
 * checks the agent when it gets there. Runs on the event loop; the leader supplier reads memory.
 */
final class RedirectHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(RedirectHandler.class);

  static final String NO_LEADER =
      "this server is not the leader and no leader is elected yet; try another server";

  private final Supplier<Optional<LeaderRedirect>> leader;
  private final long helloTimeoutMillis;
  private final Runnable handshakeDone;
  private final RedirectingAgentPort.Counters counters;
  private boolean answered;
  private ScheduledFuture<?> deadline;

  RedirectHandler(
      Supplier<Optional<LeaderRedirect>> leader,
      long helloTimeoutMillis,
      Runnable handshakeDone,
      RedirectingAgentPort.Counters counters) {
    this.leader = leader;
    this.helloTimeoutMillis = helloTimeoutMillis;
    this.handshakeDone = handshakeDone;
    this.counters = counters;
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
    Envelope answer;
    if (!message.hasHello() && !message.hasEnrollRequest()) {
      log.warn(
          "refused connection from {}: PROTOCOL_ERROR (expected Hello first, got {})",
          Session.describe(ctx.channel()),
          message.getBodyCase());
      answer =
          refusal(
              Refusal.Code.PROTOCOL_ERROR, "expected Hello first, got " + message.getBodyCase());
    } else {
      Optional<LeaderRedirect> to = currentLeader();
      if (to.isPresent()) {
        counters.redirected.incrementAndGet();
        log.debug(
            "redirected {} to the leader at {} (epoch {})",
            Session.describe(ctx.channel()),
            to.get().agentAddress(),
            to.get().epoch());
        answer =
            Envelope.newBuilder()
                .setRedirect(
                    Redirect.newBuilder()
                        .setAgentAddress(to.get().agentAddress())
                        .setEpoch(to.get().epoch()))
                .build();
      } else {
        counters.noLeader.incrementAndGet();
        log.debug("told {} that no leader is known: NOT_LEADER", Session.describe(ctx.channel()));
        answer = refusal(Refusal.Code.NOT_LEADER, NO_LEADER);
      }
    }
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  /** The supplier's answer; one that throws counts as no leader known (and is logged). */
  private Optional<LeaderRedirect> currentLeader() {
    try {
      return leader.get();
    } catch (RuntimeException e) {
      log.warn("cannot tell where the leader is: {}", LogText.quote(e.toString()));
      return Optional.empty();
    }
  }

  private static Envelope refusal(Refusal.Code code, String reason) {
    return Envelope.newBuilder().setRefusal(HelloCheck.refusal(code, reason)).build();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
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
