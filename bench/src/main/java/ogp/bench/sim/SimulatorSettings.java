package ogp.bench.sim;

import java.time.Duration;
import java.util.Map;

/**
 * How a simulated fleet connects.
 *
 * @param sourceAddresses how many loopback source addresses (127.0.0.2, 127.0.0.3, …) the agents
 *     are spread over, so 10,000 connections and their reconnects never run short of ephemeral
 *     ports
 * @param initialBackoff first reconnect delay ceiling; doubled per failed attempt up to maxBackoff,
 *     with full jitter, exactly like the real agent's link
 */
public record SimulatorSettings(
    String serverHost,
    int serverPort,
    String joinToken,
    int agents,
    Map<String, String> labels,
    Duration heartbeatInterval,
    int sourceAddresses,
    Duration initialBackoff,
    Duration maxBackoff,
    int eventLoopThreads) {

  /** The defaults of the issue: heartbeat every 3 s, the real agent's backoff (200 ms to 5 s). */
  public static SimulatorSettings of(
      String host, int port, String joinToken, int agents, Map<String, String> labels) {
    return new SimulatorSettings(
        host,
        port,
        joinToken,
        agents,
        labels,
        Duration.ofSeconds(3),
        8,
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        2);
  }
}
