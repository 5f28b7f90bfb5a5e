package ogp.bench.sim;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in 10 µs buckets up to 10 s (anything slower counts in the last bucket). Recording is
 * lock-free and allocation-free, so it can run on the simulator's event loops for every ack.
 */
public final class LatencyHistogram {
  private static final long BUCKET_NANOS = 10_000;
  private static final int BUCKETS = 1_000_000; // 10 s

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  public void record(long nanos) {
    int bucket = (int) Math.min(BUCKETS - 1, Math.max(0, nanos / BUCKET_NANOS));
    counts.incrementAndGet(bucket);
  }

  public long count() {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) total += counts.get(i);
    return total;
  }

  /**
   * The upper bound, in milliseconds, of the bucket holding quantile {@code q} (0 &lt; q ≤ 1); NaN
   * when empty.
   */
  public double quantileMillis(double q) {
    long total = count();
    if (total == 0) return Double.NaN;
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) return (i + 1) * BUCKET_NANOS / 1e6;
    }
    return BUCKETS * BUCKET_NANOS / 1e6;
  }

  /** Forgets everything recorded, to measure a fresh window. */
  public void reset() {
    for (int i = 0; i < BUCKETS; i++) counts.set(i, 0);
  }
}
