package ogp.agent.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Healthy when a TCP connection to the container's IP at {@code port} opens within the timeout. */
final class TcpConnectProbe implements Probe {
  private final int port;

  TcpConnectProbe(int port) {
    this.port = port;
  }

  @Override
  public ProbeResult check(ProbeTarget target, Duration timeout) {
    if (target.ipAddress().isEmpty()) {
      return ProbeResult.unhealthy("the container has no IP address");
    }
    String address = target.ipAddress() + ":" + port;
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(target.ipAddress(), port), (int) Math.max(1, timeout.toMillis()));
      return ProbeResult.healthy("connected to " + address);
    } catch (IOException e) {
      return ProbeResult.unhealthy("connect " + address + ": " + e.getMessage());
    }
  }
}
