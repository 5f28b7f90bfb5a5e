package ogp.portal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The sign-in throttle: the cap on concurrent password checks and the bounded buckets. */
class LoginThrottleTest {
  private final MutableClock clock = MutableClock.at("2026-12-01T08:00:00Z");

  @Test
  void aCheckThatFindsEverySlotBusyIsRefusedWith503() throws Exception {
    LoginThrottle throttle =
        new LoginThrottle(new LoginThrottle.Limits(10, 5, 1, Duration.ofMillis(50), 100), clock);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Optional<Boolean>> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return throttle.check(
                    () -> {
                      running.countDown();
                      try {
                        return release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                    });
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertTrue(running.await(30, TimeUnit.SECONDS));
    assertEquals(Optional.empty(), throttle.check(() -> true), "the one slot is taken");
    assertEquals(503, throttle.busy().status());
    release.countDown();
    assertEquals(Optional.of(true), first.get(30, TimeUnit.SECONDS));
    assertEquals(Optional.of(true), throttle.check(() -> true), "free again");
  }

  @Test
  void bucketsForgetTheLeastRecentlyUsedKeyBeyondTheirBound() {
    TokenBuckets buckets = new TokenBuckets(1, 3, clock);
    for (int i = 0; i < 1000; i++) buckets.take("10.0.0." + i);
    assertEquals(3, buckets.trackedKeys());
    assertTrue(buckets.take("10.0.0.999").compareTo(Duration.ZERO) > 0, "a kept key is empty");
    assertEquals(Duration.ZERO, buckets.take("10.0.0.0"), "a forgotten key starts full");
  }

  @Test
  void aBucketRefillsEvenlyOverAMinute() {
    TokenBuckets buckets = new TokenBuckets(6, 10, clock);
    for (int i = 0; i < 6; i++) assertEquals(Duration.ZERO, buckets.take("a"));
    assertEquals(Duration.ofSeconds(10), buckets.take("a"));
    clock.advance(Duration.ofSeconds(10));
    assertEquals(Duration.ZERO, buckets.take("a"));
  }
}
