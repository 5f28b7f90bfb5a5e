package ogp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 to a local port, which a test can cut (every connection closed, nothing
 * accepted: the client cannot reconnect) and open again on the same port. It cuts from the server's
 * side: the server sees the connection close, as when a network path between them fails.
 *
 * <p>It can also misbehave while it stays open: {@link #stall()} stops answering on every
 * connection, the ones it relays already (an HTTP client's kept-alive connections too) and the new
 * ones it accepts (a remote whose process hangs), {@link #slow(Duration)} forwards small chunks
 * with a delay before each (a remote on a bad link), and {@link #forward()} relays normally again,
 * closing the connections it held while stalled.
 */
final class TcpRelay implements AutoCloseable {
  private static final int SLOW_CHUNK = 256;

  private final int port;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Socket> held = ConcurrentHashMap.newKeySet();

  /**
   * Relayed connections open when the relay stalled: nothing more crosses them, and they are closed
   * when it recovers.
   */
  private final Set<Socket> frozen = ConcurrentHashMap.newKeySet();

  private ServerSocket listener;
  private volatile boolean stalled;
  private volatile Duration delay = Duration.ZERO;

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

  /** New connections are accepted and then never answered; connections already relayed go on. */
  void stall() {
    frozen.addAll(sockets);
    stalled = true;
  }

  /** Relays in chunks of at most {@value #SLOW_CHUNK} bytes, each after {@code delayPerChunk}. */
  void slow(Duration delayPerChunk) {
    delay = delayPerChunk;
    stalled = false;
    closeHeld();
  }

  /** Relays normally again; connections held by {@link #stall()} are closed. */
  void forward() {
    delay = Duration.ZERO;
    stalled = false;
    closeHeld();
  }

  private void closeHeld() {
    for (Socket socket : held) closeQuietly(socket);
    held.clear();
    // What they hold must never arrive late: a request its client gave up on would land after all.
    for (Socket socket : frozen) closeQuietly(socket);
    frozen.clear();
  }

  @Override
  public void close() throws IOException {
    cut();
    closeHeld();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket in = s.accept();
        if (stalled) {
          held.add(in); // accepted, never read from or answered
          continue;
        }
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
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n;
                    (n = in.read(buffer, 0, delay.isZero() ? buffer.length : SLOW_CHUNK)) >= 0; ) {
                  while (frozen.contains(from) && !from.isClosed())
                    Thread.sleep(20); // stalled: hold it until closed
                  if (from.isClosed()) break;
                  if (!delay.isZero())
                    Thread.sleep(
                        delay.toMillis()); // the slow link's pace, not a wait for a condition
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "relay-pump");
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
