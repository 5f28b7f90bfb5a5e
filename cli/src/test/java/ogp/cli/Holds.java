package ogp.cli;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.awaitility.core.ThrowingRunnable;

/**
 * The one way these tests say that something must stay true for a while, e.g. that a fault leaves
 * the running container alone: the counterpart of waiting for something to happen.
 */
final class Holds {
  /** How often the assertion is checked while it must hold. */
  private static final Duration EVERY = Duration.ofMillis(200);

  /** Room for slow checks beyond the period; the hold itself fails at its first failed check. */
  private static final Duration SLACK = Duration.ofSeconds(30);

  private Holds() {}

  /**
   * Checks {@code assertion} at once and then every 200 ms for {@code period}, and fails at the
   * first check that fails, with that check's failure. Awaitility's {@code during} alone would
   * accept a condition that fails first and holds later; {@code failFast} makes every check count.
   */
  static void holdsFor(Duration period, ThrowingRunnable assertion) {
    Duration hold = period.isNegative() ? Duration.ZERO : period;
    await()
        .during(hold)
        .atMost(hold.plus(SLACK))
        .pollDelay(Duration.ZERO)
        .pollInterval(EVERY)
        .failFast(assertion)
        .until(() -> true);
  }
}
