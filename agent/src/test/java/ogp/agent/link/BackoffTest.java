package ogp.agent.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
  /** Always picks the ceiling, so the test sees the ceilings themselves. */
  private static final RandomGenerator HIGHEST = pick(bound -> bound - 1);

  private static RandomGenerator pick(LongUnaryOperator fromBound) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException("the backoff asks for a bounded value");
      }

      @Override
      public long nextLong(long bound) {
        return fromBound.applyAsLong(bound);
      }
    };
  }

  @Test
  void ceilingDoublesFromInitialToMaxAndResetStartsOver() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), HIGHEST);

    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      delays.add(backoff.next().toMillis());
    }
    assertEquals(
        List.of(200L, 400L, 800L, 1600L, 3200L, 6400L, 12800L, 25600L, 30000L, 30000L), delays);
    backoff.reset();
    assertEquals(200, backoff.next().toMillis());
  }

  @Test
  void fullJitterMayPickAnyDelayDownToZero() {
    RandomGenerator lowest = pick(bound -> 0);
    assertEquals(
        Duration.ZERO, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), lowest).next());
  }

  @Test
  void maxBelowInitialIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), HIGHEST));
  }
}
