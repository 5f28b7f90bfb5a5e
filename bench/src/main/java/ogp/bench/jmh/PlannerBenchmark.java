package ogp.bench.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import ogp.bench.scenario.PlanFixture;
import ogp.bench.scenario.PlanScenario;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.plan.FleetPlan;
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

/**
 * Row 8: the full plan of 20,000 hosts × 10 containers, and its two halves; and the plan of a
 * revision that changed one app, derived from the previous plan as the reconciler does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PlannerBenchmark {
  private DesiredState state;
  private List<String> hosts;
  private FleetPlan plan;
  private DesiredState[] states;
  private String changed;
  private int commit;

  @Setup
  public void read() {
    state = PlanFixture.state(PlanFixture.SHAPE);
    hosts = PlanFixture.hostIds(PlanFixture.SHAPE);
    plan = new FleetPlan(state, PlanFixture.REVISION);
    var app = state.apps().values().iterator().next();
    changed = app.name();
    states =
        new DesiredState[] {state, PlanFixture.withVersion(state, app, app.version() + "-next")};
  }

  @Benchmark
  public FleetPlan nextPlanAfterOneAppChanged() {
    int c = ++commit;
    plan = plan.next(states[c % 2], name -> name.equals(changed) ? "r" + c : PlanFixture.REVISION);
    return plan;
  }

  @Benchmark
  public long fullPlan() {
    return PlanScenario.planAll(state, hosts);
  }

  @Benchmark
  public FleetPlan buildSharedPlan() {
    return new FleetPlan(state, PlanFixture.REVISION);
  }

  @Benchmark
  public long assignAllHosts() {
    long n = 0;
    for (String host : hosts) n += plan.containersFor(host, PlanFixture.LABELS).size();
    return n;
  }
}
