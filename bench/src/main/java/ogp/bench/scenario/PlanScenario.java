package ogp.bench.scenario;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import ogp.bench.report.Measurement;
import ogp.bench.report.ResultTable;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.plan.FleetPlan;

/**
 * Row 8: the full plan of 20,000 hosts × 10 containers, as the reconciler computes it after a new
 * revision: one shared {@link FleetPlan} for the revision, then every host's containers. Timed in
 * this JVM after a warm-up; the JMH benchmark {@code PlannerBenchmark} measures the same code.
 */
public final class PlanScenario {
  private final PrintStream out;

  public PlanScenario(PrintStream out) {
    this.out = out;
  }

  /** Plans every host once; returns the number of containers planned. */
  public static long planAll(DesiredState state, List<String> hosts) {
    FleetPlan plan = new FleetPlan(state, PlanFixture.REVISION);
    long containers = 0;
    for (String host : hosts) containers += plan.containersFor(host, PlanFixture.LABELS).size();
    return containers;
  }

  public void run(ResultTable table) {
    long t0 = System.nanoTime();
    DesiredState state = PlanFixture.state(PlanFixture.SHAPE);
    out.printf("read and validated %,d files (%,d apps) in %d ms%n", PlanFixture.SHAPE.files(), state.apps().size(),
        (System.nanoTime() - t0) / 1_000_000);
    List<String> hosts = PlanFixture.hostIds(PlanFixture.SHAPE);
    long containers = 0;
    for (int i = 0; i < 5; i++) containers = planAll(state, hosts); // warm-up: JIT
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      long start = System.nanoTime();
      planAll(state, hosts);
      millis.add((System.nanoTime() - start) / 1e6);
    }
    Collections.sort(millis);
    double median = millis.get(millis.size() / 2);
    out.printf("full plan: %,d hosts, %,d containers: median %.1f ms, max %.1f ms%n", hosts.size(), containers, median,
        millis.get(millis.size() - 1));
    if (containers != 10L * hosts.size()) throw new HarnessFailure("planned " + containers + " containers, expected " + 10L * hosts.size());
    table.add(Measurement.of("8", "full plan of 20,000 hosts × 10 containers", "≤ 50 ms",
        String.format("%.1f ms (median of 15; max %.1f)", median, millis.get(millis.size() - 1)), median <= 50,
        "FleetPlan: specs and hashes once per app, hosts indexed"));
  }
}
