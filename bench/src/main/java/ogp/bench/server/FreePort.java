package ogp.bench.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A TCP port free on the loopback address right now, for a child process to listen on. Another
 * process may take it before the child binds; the harness's children start at once, and a taken
 * port shows as the child's clear bind error, never as a wrong number.
 */
final class FreePort {
  private FreePort() {}

  static int loopback() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
