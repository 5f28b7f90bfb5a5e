package ogp.agent.probe;

/**
 * The outcome of one probe.
 *
 * @param healthy whether the probe passed
 * @param detail what was seen, e.g. {@code HTTP 200} or {@code connection refused}
 */
public record ProbeResult(boolean healthy, String detail) {
  public static ProbeResult healthy(String detail) {
    return new ProbeResult(true, detail);
  }

  public static ProbeResult unhealthy(String detail) {
    return new ProbeResult(false, detail);
  }
}
