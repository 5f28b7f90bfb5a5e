package ogp.reconciler.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import ogp.reconciler.control.ReconcilerObserver.FetchOutcome;
import org.junit.jupiter.api.Test;

/**
 * An unreadable Git remote is one FetchFailed event per outage and one FetchRecovered when it ends.
 */
class FetchEventsTest {
  private final AtomicLong rv = new AtomicLong();
  private final EventLog log =
      new EventLog(100, e -> rv.incrementAndGet(), new SimpleMeterRegistry());
  private final FleetEvents events = new FleetEvents(log, Clock.systemUTC());

  @Test
  void failingPollsGiveOneFetchFailedAndTheNextGoodFetchOneFetchRecovered() {
    events.fetched(FetchOutcome.UNCHANGED, Duration.ZERO);
    for (int poll = 0; poll < 3; poll++) {
      events.fetchFailed("connection refused");
      events.fetched(FetchOutcome.FAILED, Duration.ZERO);
    }
    events.fetched(FetchOutcome.UNCHANGED, Duration.ZERO);
    events.fetched(FetchOutcome.UNCHANGED, Duration.ZERO);

    List<EventLog.Recorded> recorded = log.list(null, 100);
    assertEquals(
        List.of(EventReason.FETCH_FAILED, EventReason.FETCH_RECOVERED),
        recorded.stream().map(r -> r.event().reason()).toList());
    assertTrue(
        recorded.get(0).event().message().contains("connection refused"),
        recorded.get(0).event().message());
  }
}
