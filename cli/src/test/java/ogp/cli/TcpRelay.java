package ogp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 between agents and the server, which a test can cut (every connection
 * closed, nothing accepted: the agent cannot reconnect) and open again on the same port. It cuts
 * from the server's side of the agent: the server sees the connection close, as when a network
 * path between them fails.
 */
final class TcpRelay implements AutoCloseable {
  private final int port;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private ServerSocket listener;

  private TcpRelay(int port, int targetPort) {
    this.port = port;
    this.targetPort = targetPort;
  }

  /** A relay from {@code port} to 127.0.0.1:{@code targetPort}, open. */
  static TcpRelay open(int port, int targetPort) throws IOException {
    TcpRelay relay = new TcpRelay(port, targetPort);
    relay.open();
    return relay;
  }

  int port() {
    return port;
  }

  synchronized void open() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    listener = s;
    Thread acceptor = new Thread(() -> accept(s), "relay-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Closes the listener and every relayed connection. */
  synchronized void cut() throws IOException {
    if (listener != null) listener.close();
    listener = null;
    for (Socket socket : sockets) socket.close();
    sockets.clear();
  }

  @Override
  public void close() throws IOException {
    cut();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket in = s.accept();
        Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(in);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        // the listener was closed by cut(), or the server refused: the agent retries
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
