package ogp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import ogp.bench.report.ResultTable;
import ogp.bench.scenario.FleetScenario;
import ogp.bench.server.ServerLaunch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness against a real `ogp server` process: it measures only what really happened. */
class FleetScenarioTest {
  @TempDir Path tmp;

  private static ServerLaunch server(List<String> extraJvmOptions) {
    List<String> opts = new java.util.ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
    opts.addAll(extraJvmOptions);
    return ServerLaunch.classpath(System.getProperty("java.class.path"), opts);
  }

  @Test
  void fiftyAgentsConnectGetAssignmentsReportConvergedAndComeBackAfterARestart() throws Exception {
    ResultTable table = new ResultTable();
    FleetScenario.Result r =
        new FleetScenario(
                new FleetScenario.Settings(
                    server(List.of()), tmp, 50, Duration.ofSeconds(2), 2, true),
                new PrintStream(System.out))
            .run(table);

    assertEquals(50, r.connected());
    assertEquals(50, r.converged());
    assertEquals(2, r.assignmentMillis().size());
    assertTrue(r.rttP99Millis() > 0, "heartbeats were acked and timed");
    assertNotNull(r.restartBackMillis());
    assertEquals(0, r.falseLost());
    assertEquals(
        List.of("1", "2", "3", "4", "10"), table.rows().stream().map(m -> m.number()).toList());
  }

  @Test
  void harnessFailsWhenAgentsCannotConnect() {
    // A server that cannot start (a JVM option it refuses) never gets agents: the run must fail,
    // not report numbers.
    FleetScenario scenario =
        new FleetScenario(
            new FleetScenario.Settings(
                server(List.of("-XX:+ThisOptionDoesNotExist")),
                tmp,
                5,
                Duration.ofSeconds(1),
                1,
                false),
            new PrintStream(System.out));
    assertThrows(IllegalStateException.class, () -> scenario.run(new ResultTable()));
  }
}
