package ogp.agent.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Redirect;
import ogp.protocol.v1.Refusal;
import ogp.protocol.v1.RenewResponse;
import ogp.protocol.v1.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side of one connection: sends the Hello, waits for Welcome or Refusal, then heartbeats
 * at the server's interval and closes when nothing was read for three (the server acks every
 * heartbeat). Instead of a Welcome, a replica that does not lead may answer with a Redirect: it is
 * kept for {@link Events#closed} and the connection closed. Runs on the event loop; it only decodes
 * and forwards to {@link Events}, which must return at once.
 */
final class LinkHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);

  /** What the link learns from one connection; called on the event loop. */
  interface Events {
    /**
     * Whether this Welcome may open a session (its epoch is not stale); false closes the connection
     * without a session.
     */
    default boolean accepts(Welcome welcome) {
      return true;
    }

    void welcomed(ChannelHandlerContext ctx, Welcome welcome);

    void assigned(Assignment assignment);

    void acked(long seq);

    /** The server renewed this agent's certificate (an answer to a RenewRequest). */
    default void renewed(RenewResponse response) {}

    /**
     * The connection ended; {@code refusalOrNull} is the server's refusal and {@code
     * redirectOrNull} its redirect to the leader, if it gave one.
     */
    void closed(Refusal refusalOrNull, Redirect redirectOrNull);
  }

  private final Hello hello;
  private final Events events;
  private final Clock clock;
  private boolean welcomed;
  private boolean failed;
  private long heartbeatSeq;
  private ScheduledFuture<?> heartbeats;
  private Refusal refusal;
  private Redirect redirect;

  LinkHandler(Hello hello, Events events, Clock clock) {
    this.hello = hello;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Envelope.newBuilder().setHello(hello).build());
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope message) {
    switch (message.getBodyCase()) {
      case WELCOME -> {
        if (welcomed) {
          protocolError(ctx, "a second Welcome");
          return;
        }
        if (!events.accepts(message.getWelcome())) {
          ctx.close(); // the link has said why
          return;
        }
        welcomed = true;
        long interval = Math.max(1, message.getWelcome().getHeartbeatIntervalMs());
        // Liveness now follows the server's interval instead of the Welcome deadline.
        ctx.pipeline()
            .replace(
                "idle", "idle", new IdleStateHandler(3 * interval, 0, 0, TimeUnit.MILLISECONDS));
        // A fixed rate, not "when nothing else was written": reports are not acked, so an agent
        // that reports often must still get heartbeat acks or it would think the server is gone.
        heartbeats =
            ctx.executor()
                .scheduleAtFixedRate(
                    // A periodic task that throws is never run again: no more heartbeats, and
                    // the server would mark a healthy host lost.
                    LoopGuard.guarded("the agent's heartbeat", () -> heartbeat(ctx)),
                    interval,
                    interval,
                    TimeUnit.MILLISECONDS);
        events.welcomed(ctx, message.getWelcome());
      }
      case REFUSAL -> refused(message.getRefusal());
      case REDIRECT -> {
        if (welcomed) {
          protocolError(ctx, "a Redirect after Welcome");
          return;
        }
        // A replica that does not lead names the leader; the link decides whether to follow.
        redirect = message.getRedirect();
        ctx.close();
      }
      case ASSIGNMENT -> {
        if (!welcomed) {
          protocolError(ctx, "an Assignment before Welcome");
          return;
        }
        events.assigned(message.getAssignment());
      }
      case ACK -> events.acked(message.getAck().getSeq());
      case RENEW_RESPONSE -> {
        if (!welcomed) {
          protocolError(ctx, "a RenewResponse before Welcome");
          return;
        }
        events.renewed(message.getRenewResponse());
      }
      case BODY_NOT_SET -> {} // a newer server's message this agent does not know yet
      default -> protocolError(ctx, "unexpected " + message.getBodyCase());
    }
  }

  private void refused(Refusal refused) {
    refusal = refused;
    switch (refused.getCode()) {
      case REVOKED -> {} // the link logs it once, not at every attempt
      case NOT_LEADER ->
          // A replica that does not lead and knows no leader yet (an election under way): normal.
          log.info(
              "server is not the leader and knows none yet ({}); trying the next server",
              LogText.quote(refused.getReason()));
      case BAD_TOKEN, UNSUPPORTED_PROTOCOL, IDENTITY_MISMATCH, TLS_REQUIRED, ENROLMENT_REFUSED ->
          log.error(
              "server refused host id '{}': {} ({}); an operator must fix this, retrying with backoff",
              hello.getHostId(),
              refused.getCode(),
              refused.getReason());
      default ->
          log.warn(
              "server refused host id '{}': {} ({})",
              hello.getHostId(),
              refused.getCode(),
              refused.getReason());
    }
  }

  private void protocolError(ChannelHandlerContext ctx, String what) {
    log.warn("closing the link: the server sent {}", what);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent idle) {
      if (idle.state() == IdleState.READER_IDLE) {
        log.warn(
            "closing the link to {}: {}",
            ctx.channel().remoteAddress(),
            welcomed ? "no Ack for three heartbeat intervals" : "no Welcome in time");
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  private void heartbeat(ChannelHandlerContext ctx) {
    Heartbeat beat =
        Heartbeat.newBuilder().setSeq(++heartbeatSeq).setSentAtMs(clock.millis()).build();
    ctx.writeAndFlush(Envelope.newBuilder().setHeartbeat(beat).build());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (heartbeats != null) heartbeats.cancel(false);
    events.closed(refusal, redirect);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!failed) {
      failed = true;
      if (causedBy(cause, NotSslRecordException.class)) {
        // The server answered in plain TCP: say so, not a TLS decoder's hex dump.
        log.error(
            "the server at {} does not speak TLS on its agent port: it answered in plain TCP (it"
                + " binds only to loopback or runs with --insecure-agent-link), and this agent uses"
                + " TLS (--tls-ca or its enrolment); check --server, or start the server without"
                + " --insecure-agent-link; retrying with backoff",
            ctx.channel().remoteAddress());
      } else {
        log.warn("closing the link to {}: {}", ctx.channel().remoteAddress(), cause.toString());
      }
    }
    ctx.close();
  }

  private static boolean causedBy(Throwable cause, Class<? extends Throwable> type) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }
}
