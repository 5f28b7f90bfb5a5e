package ogp.reconciler.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import ogp.reconciler.api.ApiRoutes.ApiError;
import ogp.reconciler.watch.Watch;
import ogp.reconciler.watch.WatchHub;
import ogp.reconciler.watch.WatchSettings;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/**
 * {@code GET /api/v1/watch[?resourceVersion=N]} (SPEC §5.2): one JSON object per line over chunked
 * HTTP, semantics of {@link WatchHub}. A resource version that is not retained answers {@code 410
 * Gone} with a JSON error before any line. Behind the {@code /api} bearer check of {@link
 * ApiRoutes}.
 *
 * <p>Limits ({@link WatcherSlots}): at most {@link WatchSettings#watchersPerToken()} streams per
 * API token and {@link WatchSettings#watchers()} in all (16 and 1,000 by default); one more is
 * answered {@code 429} with a JSON error saying which limit. A stream's slot is freed when it ends:
 * the client went away (noticed at the next write, a bookmark at the latest), it was cut off, or
 * the server stops.
 *
 * <p>Cost per watcher: an async request, a {@link Watch} queue of shared line buffers, no thread of
 * its own: a few writer threads serve every watcher with non-blocking writes ({@link
 * WatchResponse}). The connection's idle timeout is raised above the bookmark interval, so a quiet
 * but healthy stream is never closed by Jetty between bookmarks.
 */
public final class WatchRoutes implements AutoCloseable {
  private final WatchHub hub;
  private final WatchSettings settings;
  private final ExecutorService writers;
  private final AtomicInteger open = new AtomicInteger();
  private final WatcherSlots slots;

  public WatchRoutes(WatchHub hub, WatchSettings settings) {
    this.hub = hub;
    this.settings = settings;
    this.slots = new WatcherSlots(settings.watchersPerToken(), settings.watchers());
    AtomicInteger n = new AtomicInteger();
    int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    this.writers =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "ogp-watch-writer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public void register(JavalinConfig config) {
    config.routes.get("/api/v1/watch", this::watch);
  }

  private void watch(Context ctx) throws Exception {
    OptionalLong from = resourceVersion(ctx.queryParam("resourceVersion"));
    WatcherSlots.Result acquired = slots.acquire(ApiRoutes.caller(ctx).name());
    WatcherSlots.Slot slot =
        acquired
            .slot()
            .orElseThrow(() -> new ApiError(HttpStatus.TOO_MANY_REQUESTS, acquired.refusal()));
    try {
      stream(ctx, from, slot);
    } catch (Exception | Error e) {
      slot.release(); // the stream never started
      throw e;
    }
  }

  /** Starts the stream; {@code slot} is released when it ends. */
  private void stream(Context ctx, OptionalLong from, WatcherSlots.Slot slot) throws Exception {
    EndPoint endPoint =
        ServletContextRequest.getServletContextRequest(ctx.req())
            .getConnectionMetaData()
            .getConnection()
            .getEndPoint();
    // The response exists before the watch so no wakeup is lost; it writes nothing until started.
    WatchResponse[] response = new WatchResponse[1];
    Watch watch;
    try {
      watch =
          hub.watch(
              from,
              () -> {
                WatchResponse r = response[0];
                if (r != null) r.wake();
              });
    } catch (WatchHub.ResourceVersionGone gone) {
      throw new ApiError(HttpStatus.GONE, gone.getMessage());
    }
    endPoint.setIdleTimeout(
        Math.max(endPoint.getIdleTimeout(), settings.bookmarkInterval().toMillis() * 2 + 5_000));
    ctx.status(HttpStatus.OK);
    ctx.contentType("application/x-ndjson; charset=utf-8");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("X-Accel-Buffering", "no"); // proxies must not buffer a stream
    ctx.future(
        () -> {
          try {
            WatchResponse r =
                new WatchResponse(ctx.res().getOutputStream(), writers, endPoint::close);
            response[0] = r;
            open.incrementAndGet();
            return r.start(watch)
                .whenComplete(
                    (ok, failure) -> {
                      open.decrementAndGet();
                      slot.release();
                    });
          } catch (java.io.IOException | RuntimeException e) {
            watch.close();
            slot.release();
            return java.util.concurrent.CompletableFuture.completedFuture(null);
          }
        });
  }

  private static OptionalLong resourceVersion(String raw) {
    if (raw == null || raw.isBlank()) return OptionalLong.empty();
    try {
      return OptionalLong.of(Long.parseLong(raw.strip()));
    } catch (NumberFormatException e) {
      throw new ApiError(HttpStatus.BAD_REQUEST, "resourceVersion must be a number: '" + raw + "'");
    }
  }

  /** Watch streams open now (holding a slot). */
  public int openStreams() {
    return slots.open();
  }

  /**
   * Waits until every watch response has ended (after {@link WatchHub#close()}), up to {@code
   * timeout}.
   */
  public boolean awaitStreamsEnded(java.time.Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (open.get() > 0) {
      if (System.nanoTime() > end) return false;
      Thread.sleep(10); // shutdown only: a short poll is simpler than a latch per response
    }
    return true;
  }

  @Override
  public void close() {
    writers.shutdownNow();
  }
}
