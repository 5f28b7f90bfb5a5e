package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How this package waits for etcd: every call with a deadline, every failure as one {@link
 * ClusterUnavailable} that says which call failed and why.
 */
final class EtcdCalls {
  private EtcdCalls() {}

  /**
   * The call's result, waited for at most {@code timeout}.
   *
   * @param what the call in words ("grant a lease"), for the error message
   * @throws ClusterUnavailable on a timeout, an error answer or an interrupt (kept on the thread)
   */
  static <T> T await(CompletableFuture<T> call, Duration timeout, String what) {
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new ClusterUnavailable(
          "etcd did not answer (" + what + ") within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ClusterUnavailable("etcd failed (" + what + "): " + message(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterUnavailable("interrupted while waiting for etcd (" + what + ")", e);
    }
  }

  /**
   * Whether an error says the lease does not exist (any more): etcd's {@code requested lease not
   * found}, from a keep-alive, a campaign or a put on the lease. Anything else (a network error, a
   * timeout) leaves the lease's fate unknown.
   */
  static boolean leaseNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains("requested lease not found")) return true;
      if (t.getCause() == t) break;
    }
    return false;
  }

  /**
   * The error's message on one line, with its root cause's when that says more (jetcd wraps gRPC's
   * status, whose description holds etcd's own words, in an exception that only names the code).
   */
  static String message(Throwable error) {
    String outer =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String inner = root.getMessage();
    String message =
        root == error || inner == null || outer.contains(inner)
            ? outer
            : inner.contains(outer) ? inner : outer + ": " + inner;
    return message.replace('\n', ' ').replace('\r', ' ');
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
