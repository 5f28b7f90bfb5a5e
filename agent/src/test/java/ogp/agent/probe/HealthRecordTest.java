package ogp.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import ogp.protocol.v1.ContainerStatus.Health;
import org.junit.jupiter.api.Test;

/** Docker's health rules: start period, retries, recovery. */
class HealthRecordTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final ProbeResult OK = ProbeResult.healthy("HTTP 200");
  private static final ProbeResult FAIL = ProbeResult.unhealthy("refused");

  @Test
  void failuresInsideTheStartPeriodDoNotCount() {
    HealthRecord record = HealthRecord.starting(START);
    for (int i = 0; i < 5; i++) {
      record = record.after(FAIL, START.plusSeconds(i), 3, Duration.ofSeconds(10));
    }
    assertEquals(Health.STARTING, record.health());
    assertEquals(0, record.failingStreak());
  }

  @Test
  void retriesConsecutiveFailuresAfterTheStartPeriodMakeItUnhealthy() {
    HealthRecord record = HealthRecord.starting(START);
    Instant late = START.plusSeconds(60);
    record = record.after(FAIL, late, 3, Duration.ofSeconds(10));
    record = record.after(FAIL, late, 3, Duration.ofSeconds(10));
    assertEquals(Health.STARTING, record.health());
    record = record.after(FAIL, late, 3, Duration.ofSeconds(10));
    assertEquals(Health.UNHEALTHY, record.health());
    assertEquals("refused", record.lastDetail());
  }

  @Test
  void oneSuccessMakesItHealthyAndResetsTheStreak() {
    HealthRecord record = HealthRecord.starting(START).after(OK, START, 3, Duration.ZERO);
    assertEquals(Health.HEALTHY, record.health());
    record = record.after(FAIL, START, 3, Duration.ZERO).after(FAIL, START, 3, Duration.ZERO);
    assertEquals(Health.HEALTHY, record.health());
    record = record.after(OK, START, 3, Duration.ZERO);
    assertEquals(0, record.failingStreak());
    assertEquals(Health.HEALTHY, record.health());
  }

  @Test
  void afterTheFirstSuccessFailuresCountEvenInsideTheStartPeriod() {
    HealthRecord record = HealthRecord.starting(START).after(OK, START, 1, Duration.ofMinutes(5));
    assertEquals(
        Health.UNHEALTHY,
        record.after(FAIL, START.plusSeconds(1), 1, Duration.ofMinutes(5)).health());
  }
}
