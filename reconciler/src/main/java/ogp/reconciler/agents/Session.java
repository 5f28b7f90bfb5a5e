package ogp.reconciler.agents;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Map;
import ogp.protocol.CoalescingOutbox;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;

/** One accepted connection of one host. Identity matters: a newer session replaces an older one. */
final class Session {
  private final Hello hello;
  private final Channel channel;
  private final CoalescingOutbox outbox;
  private final String remoteAddress;
  private final Map<String, String> boundLabels;
  private long lastRenewalMillis = Long.MIN_VALUE; // guarded by this

  /**
   * @param boundLabels the labels bound to the host's identity ({@link HostBindings}), which
   *     placement uses whatever the Hello declares
   */
  Session(
      Hello hello,
      Channel channel,
      CoalescingOutbox outbox,
      String remoteAddress,
      Map<String, String> boundLabels) {
    this.hello = hello;
    this.boundLabels = Map.copyOf(boundLabels);
    this.channel = channel;
    this.outbox = outbox;
    this.remoteAddress = remoteAddress;
  }

  String hostId() {
    return hello.getHostId();
  }

  Hello hello() {
    return hello;
  }

  Map<String, String> boundLabels() {
    return boundLabels;
  }

  String remoteAddress() {
    return remoteAddress;
  }

  /**
   * Whether a renewal may be answered now: none in the last {@code intervalMillis} on this
   * connection. A yes counts as this connection's renewal.
   */
  synchronized boolean renewalDue(long nowMillis, long intervalMillis) {
    if (lastRenewalMillis != Long.MIN_VALUE && nowMillis - lastRenewalMillis < intervalMillis) {
      return false;
    }
    lastRenewalMillis = nowMillis;
    return true;
  }

  /** Latest-wins: an assignment not yet written because the agent reads slowly is replaced. */
  boolean send(Assignment assignment) {
    return outbox.offer(Envelope.newBuilder().setAssignment(assignment).build());
  }

  /** Tells the agent why and closes; safe from any thread. */
  void refuseAndClose(Refusal refusal) {
    channel
        .writeAndFlush(Envelope.newBuilder().setRefusal(refusal).build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  void close() {
    channel.close();
  }

  /**
   * The peer as {@code host:port} ({@code 127.0.0.1:38960}), not {@link
   * java.net.InetSocketAddress}'s {@code /127.0.0.1:38960}.
   */
  static String describe(Channel channel) {
    if (channel.remoteAddress() instanceof java.net.InetSocketAddress a) {
      String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
    return String.valueOf(channel.remoteAddress());
  }
}
