package ogp.agent.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)],
 * so a fleet that lost its server does not reconnect in lockstep. Reset after a successful Welcome.
 * Not thread-safe: the link uses it from its control thread only.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final RandomGenerator random;
  private int attempt;

  Backoff(Duration initial, Duration max, RandomGenerator random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max: " + initial + ", " + max);
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.random = random;
  }

  /** The next delay; each call doubles the ceiling until it reaches the maximum. */
  Duration next() {
    long ceiling = attempt >= 62 ? maxMillis : Math.min(maxMillis, initialMillis << attempt);
    if (ceiling < maxMillis) {
      attempt++;
    }
    return Duration.ofMillis(random.nextLong(ceiling + 1));
  }

  /** The longest delay, for when retrying soon would only fight another agent. */
  Duration max() {
    return Duration.ofMillis(maxMillis);
  }

  void reset() {
    attempt = 0;
  }
}
