package ogp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import ogp.bench.report.ResultTable;
import ogp.bench.scenario.HaScenario;
import ogp.bench.server.EtcdLaunch;
import ogp.bench.server.ServerLaunch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HA harness against a real three-member etcd and three real replica processes: it measures two
 * failovers on epochs that only go up and leaves no process behind.
 */
class HaScenarioTest {
  @TempDir Path tmp;

  @Test
  void twentyAgentsFollowTwoFailoversToHigherEpochsAndEveryRowIsMeasured() throws Exception {
    ServerLaunch launch =
        ServerLaunch.classpath(
            System.getProperty("java.class.path"),
            List.of(
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                // The replicas log like the packaged server, not at the harness's WARN.
                "-Dlogback.configurationFile="
                    + Path.of("../cli/src/main/resources/logback.xml").toAbsolutePath()));
    ResultTable table = new ResultTable();
    HaScenario.Result r =
        new HaScenario(
                new HaScenario.Settings(
                    launch,
                    EtcdLaunch.DEFAULT_BINARY,
                    tmp,
                    20,
                    Duration.ofSeconds(5), // a loaded 2-core machine can delay keep-alives by 2 s
                    Duration.ofSeconds(2),
                    2),
                new PrintStream(System.out))
            .run(table);

    assertTrue(r.firstEpoch() > 0, "replicas lead at etcd revisions");
    assertTrue(r.gracefulEpoch() > r.firstEpoch());
    assertTrue(r.crashEpoch() > r.gracefulEpoch());
    assertTrue(r.gracefulMillis() > 0 && r.crashMillis() > 0 && r.allBackMillis() > 0);
    assertTrue(
        r.crashMillis() >= r.gracefulMillis(), "a crash waits for the lease, a SIGTERM does not");
    assertEquals(2, r.replicatedMillis().size());
    assertEquals(2, r.singleMillis().size());
    assertEquals(0, r.staleRefused(), "no agent was sent a command of a deposed leader");
    assertEquals(
        List.of("H1", "H2", "H3", "H5", "H4"), table.rows().stream().map(m -> m.number()).toList());
    try (Stream<Path> left = Files.list(tmp)) {
      // The repository and the replicas' data dirs stay for the caller; etcd's directory does not.
      assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("etcd-")));
    }
  }
}
