package ogp.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent delivery ids of one provider, least recently seen evicted first, so that a
 * redelivered push is recognized without unbounded memory. Thread-safe.
 */
final class RecentDeliveries {
  static final int DEFAULT_CAPACITY = 10_000;

  private final Map<String, Boolean> seen;

  RecentDeliveries(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.seen =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Records the id; true if it was not seen before. An empty id (none sent) is always new. */
  synchronized boolean firstTime(String deliveryId) {
    return deliveryId.isEmpty() || seen.put(deliveryId, Boolean.TRUE) == null;
  }

  /** Forgets an id whose handling failed, so that the provider's redelivery is not discarded. */
  synchronized void forget(String deliveryId) {
    seen.remove(deliveryId);
  }
}
