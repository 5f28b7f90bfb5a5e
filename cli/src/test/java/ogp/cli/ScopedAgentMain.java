package ogp.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RealDockerTest;

/**
 * {@code ogp agent} for a test process, with one difference: its containers are scoped to the
 * test's {@code ogp.test} label. A real {@code ogp agent} owns every managed container of its
 * engine and removes those not assigned to it, which on an engine shared with other test runs would
 * remove their containers. Same {@link HostAgent}, with the test agent's short intervals.
 *
 * <p>Arguments: server-host server-port host-id join-token-file data-dir test-scope.
 */
final class ScopedAgentMain {
  private ScopedAgentMain() {}

  public static void main(String[] a) throws Exception {
    HostAgent agent =
        new HostAgent(
            new HostAgent.Settings(
                a[0],
                Integer.parseInt(a[1]),
                a[2],
                Map.of(),
                Files.readString(Path.of(a[3])).strip(),
                DockerRuntime.DEFAULT_HOST,
                null,
                Path.of(a[4]),
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                Map.of(RealDockerTest.TEST_LABEL, a[5])));
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
    Thread.currentThread().join(); // runs until the test kills it
  }
}
