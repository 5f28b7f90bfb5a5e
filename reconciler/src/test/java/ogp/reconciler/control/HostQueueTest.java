package ogp.reconciler.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.Test;

class HostQueueTest {
  private final MutableClock clock = MutableClock.at("2026-12-07T00:00:00Z");
  private final HostQueue queue = new HostQueue(clock);

  @Test
  void aHostMarkedDirtyManyTimesIsTakenOnceInTheOrderHostsWereFirstMarked() {
    queue.add("b");
    queue.add("a");
    queue.add("b");
    queue.addAll(List.of("a", "c", "b"));
    assertEquals(List.of("b", "a", "c"), drain());
  }

  @Test
  void aHostMarkedAgainWhileItIsReconciledIsTakenAgain() {
    queue.add("a");
    assertEquals(Optional.of("a"), queue.poll());
    queue.add("a"); // an event arrived while the worker was on it
    assertEquals(List.of("a"), drain());
  }

  @Test
  void aFailedHostIsRetriedAfterABackoffThatDoublesUpToFiveMinutes() {
    List<Long> backoffs = new ArrayList<>();
    for (int failure = 0; failure < 14; failure++) {
      queue.add("a");
      assertEquals(Optional.of("a"), queue.poll());
      Duration backoff = queue.retryLater("a");
      backoffs.add(backoff.toMillis());
      clock.advance(backoff.minusMillis(1));
      assertEquals(Optional.empty(), queue.poll(), "not before its backoff");
      clock.advance(Duration.ofMillis(1));
      assertEquals(Optional.of("a"), queue.poll(), "retried once the backoff has passed");
    }
    assertEquals(
        List.of(
            100L, 200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 12_800L, 25_600L, 51_200L, 102_400L,
            204_800L, 300_000L, 300_000L),
        backoffs);
  }

  @Test
  void aSuccessResetsTheBackoff() {
    queue.retryLater("a");
    queue.retryLater("a");
    assertEquals(Duration.ofMillis(400), queue.retryLater("a"));
    queue.succeeded("a");
    assertEquals(0, queue.failures("a"));
    assertEquals(Duration.ofMillis(100), queue.retryLater("a"));
  }

  @Test
  void anEventForAHostWaitingOnItsBackoffMakesItReadyAtOnce() {
    queue.retryLater("a");
    queue.retryLater("a");
    assertEquals(Optional.empty(), queue.poll());
    queue.add("a");
    assertEquals(List.of("a"), drain());
    clock.advance(Duration.ofMinutes(10));
    assertEquals(List.of(), drain(), "the backoff was replaced by the event, not added to it");
  }

  @Test
  void takeWaitsNoLongerThanAsked() throws InterruptedException {
    assertEquals(
        Optional.empty(), new HostQueue(java.time.Clock.systemUTC()).take(Duration.ofMillis(20)));
  }

  private List<String> drain() {
    List<String> taken = new ArrayList<>();
    for (Optional<String> next = queue.poll(); next.isPresent(); next = queue.poll())
      taken.add(next.get());
    return taken;
  }
}
