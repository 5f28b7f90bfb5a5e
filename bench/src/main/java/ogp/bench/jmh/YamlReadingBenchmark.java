package ogp.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import ogp.bench.repo.FleetShape;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Reading and validating one generated app file (the work a 1-file commit re-does). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class YamlReadingBenchmark {
  private final DesiredStateReader reader = new DesiredStateReader();
  private byte[] file;

  @Setup
  public void generate() {
    file = new FleetShape(1, 20_000, 1, 10, false).fileYaml(0).getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public FileResult readAndValidateOneApp() {
    return reader.readFile("apps/0/file-0.yaml", file);
  }
}
