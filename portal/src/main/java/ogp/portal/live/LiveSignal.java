package ogp.portal.live;

import io.javalin.http.sse.SseClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.LoopGuard;
import ogp.reconciler.watch.Watch;
import ogp.reconciler.watch.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells open portal pages that what they show changed, over server-sent events: one event {@code
 * changed} whose data is the topic ({@code apps}, {@code hosts}, {@code events}); the page then
 * fetches its fragment again. Level-triggered like a controller: the signal carries no data, so a
 * missed or coalesced signal is harmless and the page always shows the latest state.
 *
 * <p>The signal follows the server's watch stream ({@link WatchHub}), the same one {@code GET
 * /api/v1/watch} serves: App and Revision lines signal {@code apps}, Host lines {@code hosts},
 * Event lines {@code events}. Its one watch is drained on one scheduler thread and fanned out to
 * every client; there are no per-client threads, and at most {@code maxClients} streams are open
 * (more are refused with 503). If the watch is cut off (it fell behind) it is opened again and
 * every page is told to refresh. A comment every 15 s keeps idle streams open through proxies and
 * finds dead clients.
 */
public final class LiveSignal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveSignal.class);
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private static final List<String> TOPICS = List.of("apps", "hosts", "events");

  private final WatchHub hub;
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final int maxClients;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean drainQueued = new AtomicBoolean();
  private Watch watch; // scheduler thread only, after construction

  public LiveSignal(WatchHub hub, int maxClients) {
    this.hub = hub;
    this.maxClients = maxClients;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-portal-live");
              t.setDaemon(true);
              return t;
            });
    try {
      // Opened before the constructor returns, so the server counts this watcher from the start;
      // on the scheduler thread, so the drain its first wakeup schedules runs after it.
      scheduler.submit(this::openWatch).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening the portal's watch", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot open the portal's watch", e.getCause());
    }
    scheduler.scheduleWithFixedDelay(
        LoopGuard.guarded("the portal's keep-alive", this::keepAlive),
        KEEP_ALIVE.toMillis(),
        KEEP_ALIVE.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Adds a client; it stays open until the browser goes away or the server stops. */
  public void join(SseClient client) {
    if (clients.size() >= maxClients) {
      client.ctx().status(503);
      client.close();
      return;
    }
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    clients.add(client);
    client.sendComment("connected");
  }

  public int clientCount() {
    return clients.size();
  }

  private void openWatch() {
    try {
      watch = hub.watch(OptionalLong.empty(), this::wakeup);
    } catch (WatchHub.ResourceVersionGone impossible) {
      throw new IllegalStateException(
          "a watch without a resource version cannot be gone", impossible);
    }
  }

  /** Runs on the hub's thread when lines arrive: only schedules the drain. */
  private void wakeup() {
    if (drainQueued.compareAndSet(false, true)) scheduler.execute(this::drain);
  }

  private void drain() {
    drainQueued.set(false);
    try {
      Set<String> changed = new LinkedHashSet<>();
      for (byte[] line = watch.poll(); line != null; line = watch.poll()) {
        String topic = topicOf(line);
        if (topic != null) changed.add(topic);
      }
      changed.forEach(this::broadcast);
      if (watch.finished()) { // cut off for falling behind, or the hub closed: start over
        watch.close();
        if (!scheduler.isShutdown()) {
          openWatch();
          TOPICS.forEach(this::broadcast);
        }
      }
    } catch (RuntimeException e) {
      log.warn("forwarding the watch to the portal's pages failed; the next change retries", e);
    } catch (Throwable t) {
      LoopGuard.survived("forwarding the watch to the portal's pages", t);
    }
  }

  /** The topic of a watch line, from its {@code "kind"}; null for bookmarks and errors. */
  static String topicOf(byte[] line) {
    String text = new String(line, StandardCharsets.UTF_8);
    int at = text.indexOf("\"kind\":\"");
    if (at < 0) return null;
    int from = at + 8;
    int to = text.indexOf('"', from);
    String kind = to < 0 ? "" : text.substring(from, to);
    return switch (kind) {
      case "App", "Revision" -> "apps";
      case "Host" -> "hosts";
      case "Event" -> "events";
      default -> null;
    };
  }

  private void broadcast(String topic) {
    for (SseClient client : List.copyOf(clients)) {
      // A client's write is a few bytes into its socket buffer; a client that has gone is dropped.
      if (client.terminated()) clients.remove(client);
      else client.sendEvent("changed", topic);
    }
  }

  private void keepAlive() {
    for (SseClient client : List.copyOf(clients)) {
      if (client.terminated()) clients.remove(client);
      else client.sendComment("keep-alive");
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (watch != null) watch.close();
    List.copyOf(clients).forEach(SseClient::close);
    clients.clear();
  }
}
