package ogp.portal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key (a client address, a user name): each key may spend {@code perMinute}
 * attempts at once and regains them evenly over a minute. At most {@code maxKeys} keys are tracked;
 * the least recently used is forgotten first, so a flood of distinct keys costs bounded memory (a
 * forgotten key starts again with a full bucket). Thread-safe.
 */
final class TokenBuckets {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final int perMinute;
  private final Clock clock;
  private final Map<String, double[]> buckets; // [tokens, epoch millis of the last refill]

  TokenBuckets(int perMinute, int maxKeys, Clock clock) {
    if (perMinute < 1 || maxKeys < 1)
      throw new IllegalArgumentException("a rate and the number of tracked keys must be positive");
    this.perMinute = perMinute;
    this.clock = clock;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /**
   * Spends one attempt of {@code key}: {@link Duration#ZERO} when allowed, else how long until the
   * next attempt would be (nothing is spent then).
   */
  synchronized Duration take(String key) {
    Instant now = clock.instant();
    double[] bucket =
        buckets.computeIfAbsent(key, k -> new double[] {perMinute, now.toEpochMilli()});
    double perMilli = perMinute / (double) WINDOW.toMillis();
    double elapsed = Math.max(0, now.toEpochMilli() - bucket[1]);
    bucket[0] = Math.min(perMinute, bucket[0] + elapsed * perMilli);
    bucket[1] = now.toEpochMilli();
    if (bucket[0] >= 1) {
      bucket[0] -= 1;
      return Duration.ZERO;
    }
    return Duration.ofMillis((long) Math.ceil((1 - bucket[0]) / perMilli));
  }

  synchronized int trackedKeys() {
    return buckets.size();
  }
}
