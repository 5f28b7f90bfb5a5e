package ogp.agent.probe;

import java.time.Duration;
import ogp.protocol.v1.HealthCheck;

/**
 * Timing of a health check, with Docker's defaults for what the spec leaves out (0 in the wire
 * message): interval 30 s, timeout 30 s, retries 3, start period 0.
 */
public record ProbeSettings(
    Duration interval, Duration timeout, int retries, Duration startPeriod) {
  public static ProbeSettings of(HealthCheck check) {
    return new ProbeSettings(
        check.getIntervalMs() == 0
            ? Duration.ofSeconds(30)
            : Duration.ofMillis(check.getIntervalMs()),
        check.getTimeoutMs() == 0
            ? Duration.ofSeconds(30)
            : Duration.ofMillis(check.getTimeoutMs()),
        check.getRetries() == 0 ? 3 : check.getRetries(),
        Duration.ofMillis(check.getStartPeriodMs()));
  }
}
