package ogp.cli;

import io.javalin.util.JavalinBindException;
import java.net.BindException;
import java.util.concurrent.Callable;

/**
 * Turns a failure to listen because the port is taken into one sentence that names the port and the
 * flag that changes it, instead of the bare "Address already in use" of the socket layer.
 */
final class PortInUse {
  private PortInUse() {}

  static <T> T explained(String flag, String address, int port, Callable<T> listen)
      throws java.io.IOException, InterruptedException {
    try {
      return listen.call();
    } catch (java.io.IOException | InterruptedException | RuntimeException e) {
      if (!isBindFailure(e)) throw e;
      throw new CommandFailure(
          "port "
              + port
              + " on "
              + address
              + " is already in use ("
              + flag
              + "); stop what listens there, or choose"
              + " another port with "
              + flag
              + " PORT");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException || t instanceof JavalinBindException) return true;
      // Netty's native transports report EADDRINUSE as their own exception with the OS's words.
      if (String.valueOf(t.getMessage()).contains("Address already in use")) return true;
    }
    return false;
  }
}
