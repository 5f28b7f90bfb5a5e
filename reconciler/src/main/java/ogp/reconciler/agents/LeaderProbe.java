package ogp.reconciler.agents;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a leader's agent port accepts connections: a TCP connect with a short timeout, closed as
 * soon as it succeeds. Nothing is sent, not even a TLS handshake, so the leader's agent server sees
 * a connection that closed before its Hello, which it does not log above DEBUG.
 *
 * <p>At most one probe is in flight. The host name is resolved on this probe's own thread ({@code
 * ogp-agent-port-probe}), never on an event loop nor on the parking's ticker, since a lookup may
 * block for seconds; the connect itself runs on the given event loop group and never blocks it. The
 * last answer is remembered per address: a success counts as "answering" for the freshness given, a
 * failure ends that at once (it is newer news).
 */
final class LeaderProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderProbe.class);

  private record Answered(String address, long atNanos) {}

  private final EventLoopGroup group;
  private final int timeoutMillis;
  private final long freshNanos;
  private final ExecutorService thread;
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private volatile Answered last;

  LeaderProbe(EventLoopGroup group, Parking parking) {
    this.group = group;
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, parking.probeTimeout().toMillis());
    this.freshNanos = parking.fresh().toNanos();
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-agent-port-probe");
              t.setDaemon(true);
              return t;
            });
  }

  /** Whether a probe of {@code address} succeeded within the freshness, and none failed since. */
  boolean answeredRecently(String address) {
    Answered a = last;
    return a != null
        && a.address().equals(address)
        && System.nanoTime() - a.atNanos() <= freshNanos;
  }

  /**
   * Dials {@code address} ({@code host:port}, {@code [v6]:port}) unless a probe is in flight;
   * {@code onAnswer} runs on an event loop once the connect succeeded. Any thread.
   */
  void probe(String address, Runnable onAnswer) {
    if (!inFlight.compareAndSet(false, true)) return;
    try {
      thread.execute(
          LoopGuard.guarded("probing the leader's agent port", () -> dial(address, onAnswer)));
    } catch (RejectedExecutionException closed) {
      inFlight.set(false);
    }
  }

  private void dial(String address, Runnable onAnswer) {
    ChannelFuture connecting;
    try {
      connecting =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
              .handler(new ChannelInboundHandlerAdapter())
              .connect(resolve(address));
    } catch (UnknownHostException | RuntimeException e) {
      failed(address, e);
      return;
    }
    connecting.addListener(
        (ChannelFuture done) -> {
          if (done.isSuccess()) {
            done.channel().close();
            last = new Answered(address, System.nanoTime());
            inFlight.set(false);
            onAnswer.run();
          } else {
            failed(address, done.cause());
          }
        });
  }

  private void failed(String address, Throwable cause) {
    Answered a = last;
    if (a != null && a.address().equals(address)) last = null;
    inFlight.set(false);
    log.debug(
        "the leader's agent port {} does not answer yet: {}",
        LogText.quote(address),
        LogText.quote(String.valueOf(cause)));
  }

  /** {@code host:port} or {@code [v6]:port}, resolved here (this may block: the probe thread). */
  static InetSocketAddress resolve(String address) throws UnknownHostException {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1)
      throw new IllegalArgumentException("not HOST:PORT: " + LogText.quote(address));
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not HOST:PORT: " + LogText.quote(address));
    }
    if (port < 1 || port > 65535)
      throw new IllegalArgumentException("port out of range: " + LogText.quote(address));
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
