package ogp.agent.probe;

import java.time.Duration;
import java.time.Instant;
import ogp.protocol.v1.ContainerStatus.Health;

/**
 * The health of one container run, following Docker's rules: STARTING until the first success;
 * failures inside the start period do not count while still STARTING; after that, {@code retries}
 * consecutive failures make it UNHEALTHY and one success makes it HEALTHY again. A new run of the
 * container (another start time) starts over.
 *
 * @param health the current verdict
 * @param failingStreak consecutive failures that counted
 * @param lastDetail the last probe's detail
 * @param startedAt the start of the container run this record is about (null: unknown)
 */
public record HealthRecord(Health health, int failingStreak, String lastDetail, Instant startedAt) {

  public static HealthRecord starting(Instant startedAt) {
    return new HealthRecord(Health.STARTING, 0, "", startedAt);
  }

  /** The record after one probe result observed at {@code now}. */
  public HealthRecord after(ProbeResult result, Instant now, int retries, Duration startPeriod) {
    if (result.healthy()) {
      return new HealthRecord(Health.HEALTHY, 0, result.detail(), startedAt);
    }
    boolean inStartPeriod = startedAt != null && now.isBefore(startedAt.plus(startPeriod));
    if (health == Health.STARTING && inStartPeriod) {
      return new HealthRecord(health, failingStreak, result.detail(), startedAt);
    }
    int streak = failingStreak + 1;
    return new HealthRecord(
        streak >= retries ? Health.UNHEALTHY : health, streak, result.detail(), startedAt);
  }
}
