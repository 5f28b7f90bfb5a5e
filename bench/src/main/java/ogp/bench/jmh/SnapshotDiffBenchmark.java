package ogp.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ogp.bench.repo.FleetRepository;
import ogp.bench.repo.FleetShape;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.source.PollResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows 5 and 6 without the parse: GitMirror.poll of a 20,000-file repository, unchanged and after a
 * 1-file commit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = "-Xmx2g")
@Warmup(iterations = 5)
@Measurement(iterations = 20)
public class SnapshotDiffBenchmark {
  private Path dir;
  private FleetRepository repo;
  private GitMirror mirror;
  private int version = 2;

  @Setup(Level.Trial)
  public void generate() throws IOException {
    dir = Files.createTempDirectory("ogp-jmh-");
    repo = FleetRepository.create(dir.resolve("big.git"));
    repo.commit("Generated", new FleetShape(20_000, 20_000, 20_000, 10, false));
    mirror = GitMirror.open(GitRemote.of(repo.url(), "main", ""), dir.resolve("mirror"));
    mirror.poll();
  }

  /** A new 1-file commit before each measured poll. */
  @Setup(Level.Invocation)
  public void commitOneFile() {
    FleetShape shape = new FleetShape(20_000, 20_000, 20_000, 10, false);
    repo.commit("v" + version, Map.of(shape.filePath(42), shape.appYaml(42, version++)));
  }

  @Benchmark
  public PollResult pollAfterOneFileCommit() {
    return mirror.poll();
  }

  @TearDown(Level.Trial)
  public void close() {
    mirror.close();
    repo.close();
  }
}
