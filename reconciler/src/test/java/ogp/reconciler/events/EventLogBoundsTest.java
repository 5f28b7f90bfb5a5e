package ogp.reconciler.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The event window is bounded in bytes as well as in count, whatever the events quote. */
class EventLogBoundsTest {
  private final AtomicLong rv = new AtomicLong();

  @Test
  void historyStaysUnderItsByteBoundWithHugeMessagesAndKeepsTheNewest() {
    long maxBytes = 1 << 20;
    EventLog log =
        new EventLog(10_000, maxBytes, e -> rv.incrementAndGet(), new SimpleMeterRegistry());
    String huge = "x".repeat(1 << 20); // a 1 MiB lastError quoted by a ContainerFailed event
    for (int i = 0; i < 1_000; i++) {
      log.record(
          Event.of(Clock.systemUTC(), EventReason.CONTAINER_FAILED, i + " " + huge)
              .withErrors(List.of(huge, huge)));
      assertTrue(
          log.retainedBytes() <= maxBytes, "retained " + log.retainedBytes() + " after " + i);
    }
    List<EventLog.Recorded> kept = log.list(null, 10_000);
    assertTrue(kept.size() > 10, "many bounded events fit: " + kept.size());
    assertTrue(kept.size() < 1_000, "the oldest were dropped: " + kept.size());
    Event newest = kept.get(kept.size() - 1).event();
    assertTrue(newest.message().startsWith("999 x"), "the newest is kept");
    String original = "999 " + huge;
    assertEquals(
        original.substring(0, EventLog.MAX_MESSAGE)
            + "… ["
            + (original.length() - EventLog.MAX_MESSAGE)
            + " more characters]",
        newest.message(),
        "the message is cut with a visible marker");
    assertTrue(newest.message().endsWith(" more characters]"));
  }

  @Test
  void aCountBoundStillHolds() {
    EventLog log = new EventLog(5, e -> rv.incrementAndGet(), new SimpleMeterRegistry());
    for (int i = 0; i < 20; i++)
      log.record(Event.of(Clock.systemUTC(), EventReason.HOST_LOST, "n=" + i));
    assertEquals(5, log.list(null, 100).size());
  }
}
