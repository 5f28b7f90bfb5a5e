package ogp.reconciler.desired;

import java.time.Duration;
import java.util.List;

/** A health probe the agent runs against each container of the app, with Docker-like timing. */
public record HealthCheck(
    Probe probe, Duration interval, Duration timeout, int retries, Duration startPeriod) {

  /**
   * What is probed: exactly one of an HTTP GET, a TCP connect or a command run in the container.
   */
  public sealed interface Probe {}

  /** Healthy when GET http://container:port/path answers 2xx or 3xx. */
  public record Http(int port, String path) implements Probe {}

  /** Healthy when a TCP connection to the port succeeds. */
  public record Tcp(int port) implements Probe {}

  /** Healthy when the command exits 0 inside the container. */
  public record Exec(List<String> argv) implements Probe {
    public Exec {
      argv = List.copyOf(argv);
    }
  }
}
