package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/scan}, the dependency vulnerability scan CI runs: without a complete database (no
 * network to fetch one, or an update that was cut off) it says so in one line and succeeds, so CI
 * never fails for lack of network. The scan against a database is shown in docs/security.md.
 */
class DependencyScanScriptTest {
  @TempDir Path tmp;

  @Test
  void withoutADatabaseTheScanIsSkippedWithOneLineAndSucceeds() throws Exception {
    Run run = scan(tmp.resolve("no-database"));
    assertEquals(0, run.exit, run.output);
    assertEquals(
        "dependency scan skipped: no vulnerability database at "
            + tmp.resolve("no-database")
            + "; run 'bash .ci/scan update' with network access to the NVD to fetch it (or copy"
            + " one there, or set OGP_VULNERABILITY_DB)\n",
        run.output);
  }

  @Test
  void aDatabaseAnUpdateLeftUnfinishedIsNotUsed() throws Exception {
    Path db = Files.createDirectories(tmp.resolve("db"));
    Files.write(db.resolve("odc.mv.db"), new byte[4096]); // initialized, never marked complete
    Run run = scan(db);
    assertEquals(0, run.exit, run.output);
    assertTrue(run.output.startsWith("dependency scan skipped: no vulnerability database at "));
  }

  private record Run(int exit, String output) {}

  private Run scan(Path db) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", Path.of("..", ".ci", "scan").toString())
            .redirectErrorStream(true);
    builder.environment().put("OGP_VULNERABILITY_DB", db.toString());
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the skip is immediate");
    return new Run(p.exitValue(), output);
  }
}
