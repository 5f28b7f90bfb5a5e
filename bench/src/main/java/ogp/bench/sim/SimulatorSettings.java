package ogp.bench.sim;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a simulated fleet connects.
 *
 * @param servers the agent addresses ({@code host:port}) of the server or of every replica, like
 *     the real agent's {@code --server a,b,c}; an agent starts at the first, like the real one,
 *     follows a Redirect only to an address of this list and rotates through it on failure
 * @param sourceAddresses how many loopback source addresses (127.0.0.2, 127.0.0.3, …) the agents
 *     are spread over, so 10,000 connections and their reconnects never run short of ephemeral
 *     ports
 * @param initialBackoff first reconnect delay ceiling; doubled per failed attempt up to maxBackoff,
 *     with full jitter, exactly like the real agent's link
 */
public record SimulatorSettings(
    List<String> servers,
    String joinToken,
    int agents,
    Map<String, String> labels,
    Duration heartbeatInterval,
    int sourceAddresses,
    Duration initialBackoff,
    Duration maxBackoff,
    int eventLoopThreads) {

  public SimulatorSettings {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) throw new IllegalArgumentException("a fleet needs a server address");
    for (String s : servers) {
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1)
        throw new IllegalArgumentException("a server address is host:port, not '" + s + "'");
    }
  }

  /** The defaults of the issue: heartbeat every 3 s, the real agent's backoff (200 ms to 5 s). */
  public static SimulatorSettings of(
      String host, int port, String joinToken, int agents, Map<String, String> labels) {
    return of(List.of(host + ":" + port), joinToken, agents, labels);
  }

  /** The same defaults for a fleet given several server addresses (replicas). */
  public static SimulatorSettings of(
      List<String> servers, String joinToken, int agents, Map<String, String> labels) {
    return new SimulatorSettings(
        servers,
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
