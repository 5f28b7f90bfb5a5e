package ogp.portal.live;

import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells open portal pages that what they show changed, over server-sent events: one event
 * {@code changed} whose data is the topic ({@code apps}, {@code hosts}, {@code events}); the page
 * then fetches its fragment again. Level-triggered like a controller: the signal carries no data,
 * so a missed or coalesced signal is harmless and the page always shows the latest state.
 *
 * <p>One scheduler thread samples every topic every {@code period} and fans the signal out to every
 * client; there are no per-client threads, and at most {@code maxClients} streams are open (more are
 * refused with 503). A comment every 15 s keeps idle streams open through proxies and finds dead
 * clients. Sampling compares the views with equals (they are records), so nothing is sent while
 * nothing changed.
 */
public final class LiveSignal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveSignal.class);
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private final Map<String, Supplier<?>> topics;
  private final Map<String, Object> last = new LinkedHashMap<>();
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final int maxClients;
  private final ScheduledExecutorService scheduler;

  /**
   * @param topics each topic's current value; sampled on the scheduler thread
   */
  public LiveSignal(Map<String, Supplier<?>> topics, Duration period, int maxClients) {
    this.topics = Map.copyOf(topics);
    this.maxClients = maxClients;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ogp-portal-live");
      t.setDaemon(true);
      return t;
    });
    this.topics.forEach((topic, value) -> last.put(topic, value.get()));
    scheduler.scheduleWithFixedDelay(this::sample, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(this::keepAlive, KEEP_ALIVE.toMillis(), KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
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

  private void sample() {
    try {
      topics.forEach((topic, value) -> {
        Object now = value.get();
        if (!Objects.equals(now, last.get(topic))) {
          last.put(topic, now);
          broadcast(topic);
        }
      });
    } catch (RuntimeException e) {
      log.warn("sampling the portal's live topics failed; trying again next period", e);
    }
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
    List.copyOf(clients).forEach(SseClient::close);
    clients.clear();
  }
}
