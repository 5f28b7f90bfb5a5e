package ogp.reconciler.agents;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.FramePipeline;
import ogp.protocol.LogText;
import ogp.protocol.v1.Ack;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.protocol.v1.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one connection: the handshake, then heartbeats and reports. The first message
 * must be a Hello within the hello timeout, or an enrolment request that {@link Enrolment} answers
 * (then the connection closes); renewal requests of a session go to {@link Enrolment} too. Anything
 * else, a second Hello or a message only the server sends is a protocol error. Every refusal is
 * sent, then the connection closed. Decoding errors and reader idleness close this connection only,
 * with one log line. Until the Welcome the frame limit is {@link
 * ogp.protocol.Protocol#HANDSHAKE_MAX_FRAME_BYTES} and the connection holds a {@link
 * PendingHandshakes} place; both end with the Welcome. Every string the agent chose (host id,
 * labels) is logged through {@link LogText}: quoted, escaped and bounded.
 *
 * <p>Runs on the channel's event loop and does nothing slow there: acks are written directly
 * (skipped while the channel is not writable, since a peer that does not read needs no ack), and
 * state changes go to the {@link HostRegistry}, which hands them to the listener's executor.
 */
final class SessionHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

  /** Characters of a refused (so unchecked) host id shown in the log: a valid one has 63. */
  static final int HOST_ID_SHOWN = 80;

  /** Characters of a reason, an error or a label map shown in the log. */
  static final int REASON_SHOWN = 500;

  private final HelloCheck helloCheck;
  private final HostRegistry registry;
  private final Welcome welcome;
  private final long helloTimeoutMillis;
  private final Clock clock;
  private final Enrolment enrolment;

  private final Runnable handshakeDone; // idempotent: frees the PendingHandshakes place

  private Session session; // null until the Hello was accepted
  private boolean closing; // a refusal or an error already ends this connection
  private ScheduledFuture<?> helloDeadline;

  SessionHandler(SessionSettings settings, Runnable handshakeDone) {
    this.handshakeDone = handshakeDone;
    this.helloCheck = settings.helloCheck();
    this.registry = settings.registry();
    this.welcome = settings.welcome();
    this.helloTimeoutMillis = settings.helloTimeoutMillis();
    this.clock = settings.clock();
    this.enrolment = settings.enrolment();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    helloDeadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (session == null && !closing) {
                    log.warn(
                        "closing connection from {}: no Hello within {} ms",
                        Session.describe(ctx.channel()),
                        helloTimeoutMillis);
                    closing = true;
                    ctx.close();
                  }
                },
                helloTimeoutMillis,
                TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope message) {
    if (closing) {
      return;
    }
    if (session == null) {
      handshake(ctx, message);
      return;
    }
    switch (message.getBodyCase()) {
      case HEARTBEAT -> {
        registry.seen(session, clock.millis());
        if (ctx.channel().isWritable()) {
          Ack ack = Ack.newBuilder().setSeq(message.getHeartbeat().getSeq()).build();
          ctx.writeAndFlush(Envelope.newBuilder().setAck(ack).build());
        }
      }
      case STATUS ->
          registry.reported(session, AgentInput.bounded(message.getStatus()), clock.millis());
      case RENEW_REQUEST -> {
        registry.seen(session, clock.millis());
        enrolment.renew(ctx, session, message.getRenewRequest());
      }
      case BODY_NOT_SET ->
          // A newer agent may send a message this server does not know yet: ignore it.
          registry.seen(session, clock.millis());
      default ->
          refuse(
              ctx,
              Refusal.Code.PROTOCOL_ERROR,
              "unexpected " + message.getBodyCase() + " after the handshake");
    }
  }

  private void handshake(ChannelHandlerContext ctx, Envelope message) {
    if (message.hasEnrollRequest()) {
      // Answered by Enrolment, which closes the connection after its answer: no session here.
      closing = true;
      helloDeadline.cancel(false);
      enrolment.enrol(ctx, message.getEnrollRequest());
      return;
    }
    if (!message.hasHello()) {
      refuse(
          ctx, Refusal.Code.PROTOCOL_ERROR, "expected Hello first, got " + message.getBodyCase());
      return;
    }
    Hello hello = message.getHello();
    String remote = Session.describe(ctx.channel());
    HelloCheck.Verdict verdict =
        helloCheck.check(hello, PeerCertificate.of(ctx.channel()), clock.instant());
    if (verdict.refusal().isPresent()) {
      Refusal refusal = verdict.refusal().get();
      // Name the host and the address so an operator can find the agent; never the token.
      log.warn(
          "refused agent host id {} from {}: {} ({})",
          LogText.quote(hello.getHostId(), HOST_ID_SHOWN),
          remote,
          refusal.getCode(),
          LogText.quote(refusal.getReason(), REASON_SHOWN));
      sendRefusal(ctx, refusal);
      return;
    }
    helloDeadline.cancel(false);
    handshakeDone.run();
    CoalescingOutbox outbox = (CoalescingOutbox) ctx.pipeline().get(CoalescingOutbox.NAME);
    if (ctx.pipeline().get(CommandFenceHandler.NAME) instanceof CommandFenceHandler fence) {
      fence.hostId(hello.getHostId());
    }
    Map<String, String> bound = verdict.binding().labels();
    session = new Session(AgentInput.bounded(hello), ctx.channel(), outbox, remote, bound);
    if (!hello.getLabelsMap().equals(bound)) {
      // Once per session: the labels placement uses are the bound ones (NodeRestriction).
      log.warn(
          "agent host id '{}' declares labels {} but is bound to {}; placement uses the bound"
              + " ones (change them with ogp hosts label {})",
          hello.getHostId(),
          LogText.quote(String.valueOf(new TreeMap<>(hello.getLabelsMap())), REASON_SHOWN),
          LogText.quote(String.valueOf(new TreeMap<>(bound)), REASON_SHOWN),
          hello.getHostId());
    }
    registry
        .connected(session, clock.millis())
        .ifPresent(
            older -> {
              log.warn(
                  "agent host id '{}' connected from {}; closing its older connection from {}",
                  hello.getHostId(),
                  remote,
                  older.remoteAddress());
              older.refuseAndClose(
                  HelloCheck.refusal(
                      Refusal.Code.SUPERSEDED,
                      "another agent with host id "
                          + hello.getHostId()
                          + " connected from "
                          + remote));
            });
    // An admin may have relabeled the host between the claim above and this registration; the
    // registration must not bring the older labels back (relabel updates the binding first).
    helloCheck
        .boundLabels(hello.getHostId())
        .filter(current -> !current.equals(bound))
        .ifPresent(current -> registry.relabeled(hello.getHostId(), current));
    // A revocation between the check above and this registration found no live session to close
    // (revoke marks the binding first, then closes what is registered): look again now.
    Optional<Refusal> revokedMeanwhile = helloCheck.revokedNow(hello.getHostId());
    if (revokedMeanwhile.isPresent()) {
      session.refuseAndClose(revokedMeanwhile.get());
      return;
    }
    // Registered before the Welcome, so an agent that has its Welcome can be sent to (server.send
    // finds the session). The Welcome still goes first on the wire: this runs on the channel's
    // event loop, and whatever the listener sends in reaction to hostConnected (on its own thread)
    // is queued to that loop behind this write.
    ctx.writeAndFlush(Envelope.newBuilder().setWelcome(welcome).build());
    log.info("agent host id '{}' connected from {}", hello.getHostId(), remote);
    // Last: the replaced decoder hands what it buffered to the new one at once, so a message the
    // agent sent right behind its Hello is read here, re-entrantly, as one of this session.
    FramePipeline.raiseFrameLimit(ctx.pipeline());
  }

  private void refuse(ChannelHandlerContext ctx, Refusal.Code code, String reason) {
    log.warn(
        "refused connection from {}{}: {} ({})",
        Session.describe(ctx.channel()),
        session == null ? "" : " (host id '" + session.hostId() + "')",
        code,
        LogText.quote(reason, REASON_SHOWN));
    sendRefusal(ctx, HelloCheck.refusal(code, reason));
  }

  private void sendRefusal(ChannelHandlerContext ctx, Refusal refusal) {
    closing = true;
    ctx.writeAndFlush(Envelope.newBuilder().setRefusal(refusal).build())
        .addListener(future -> ctx.close());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      log.warn(
          "closing silent connection from {}{}",
          Session.describe(ctx.channel()),
          session == null ? "" : " (host id '" + session.hostId() + "')");
      closing = true;
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handshakeDone.run();
    if (helloDeadline != null) {
      helloDeadline.cancel(false);
    }
    if (session != null) {
      registry.closed(session);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Garbage, an oversize frame or a reset connection: end this connection only, log once.
    if (!closing) {
      closing = true;
      log.warn(
          "closing connection from {}{}: {}",
          Session.describe(ctx.channel()),
          session == null ? "" : " (host id '" + session.hostId() + "')",
          LogText.quote(cause.toString(), REASON_SHOWN));
    }
    ctx.close();
  }
}
