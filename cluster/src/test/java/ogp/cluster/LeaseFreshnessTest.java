package ogp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a leader may act on its lease: the margin, the window, the keep-alive interval. */
class LeaseFreshnessTest {
  @ParameterizedTest(name = "TTL {0} ms: margin {1} ms, window {2} ms, keep-alive every {3} ms")
  @CsvSource({
    "10000, 2500, 7500, 2000",
    "30000, 7500, 22500, 6000",
    "3000, 1000, 2000, 600",
    "2000, 1000, 1000, 400",
    // etcd counts whole seconds: 3.9 s is asked for, and judged, as 3 s
    "3900, 1000, 2000, 600",
  })
  void theMarginIsAQuarterOfTheTtlAndAtLeastOneSecond(
      long ttlMillis, long margin, long window, long interval) {
    LeaseFreshness freshness = new LeaseFreshness(Duration.ofMillis(ttlMillis));

    assertEquals(Duration.ofMillis(margin), freshness.margin());
    assertEquals(Duration.ofMillis(window), freshness.window());
    assertEquals(Duration.ofMillis(interval), freshness.keepAliveInterval());
    assertTrue(freshness.window().compareTo(freshness.keepAliveInterval().multipliedBy(2)) > 0);
  }

  @Test
  void aKeepAliveIsFreshUntilTheWindowHasPassedSinceItWasSent() {
    LeaseFreshness freshness = new LeaseFreshness(Duration.ofSeconds(10));
    long sent = -5_000_000_000L; // nanoTime may be negative
    long window = Duration.ofMillis(7500).toNanos();

    assertTrue(freshness.fresh(sent, sent));
    assertTrue(freshness.fresh(sent, sent + window - 1));
    assertFalse(freshness.fresh(sent, sent + window));
    assertFalse(freshness.fresh(sent, sent + Duration.ofSeconds(10).toNanos()));
  }

  @Test
  void aTtlUnderTwoWholeSecondsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LeaseFreshness(Duration.ofMillis(1999)));
  }
}
