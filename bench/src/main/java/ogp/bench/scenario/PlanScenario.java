package ogp.bench.scenario;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import ogp.bench.report.Measurement;
import ogp.bench.report.ResultTable;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.plan.FleetPlan;

/**
 * Row 8: the full plan of 20,000 hosts × 10 containers: one shared {@link FleetPlan} for the
 * revision, then every host's containers. Timed two ways in this JVM after a warm-up: from scratch
 * (every spec built and hashed: a server's first revision), and as the reconciler computes it after
 * a commit changing one app (the plan derived from the previous one, then every host). The JMH
 * benchmark {@code PlannerBenchmark} measures the same code.
 */
public final class PlanScenario {
  private final PrintStream out;

  public PlanScenario(PrintStream out) {
    this.out = out;
  }

  /** Plans every host once from scratch; returns the number of containers planned. */
  public static long planAll(DesiredState state, List<String> hosts) {
    return assignAll(new FleetPlan(state, PlanFixture.REVISION), hosts);
  }

  /** Every host's containers of {@code plan}; returns how many. */
  public static long assignAll(FleetPlan plan, List<String> hosts) {
    long containers = 0;
    for (String host : hosts) containers += plan.containersFor(host, PlanFixture.LABELS).size();
    return containers;
  }

  /**
   * Times {@code run} 15 times after 5 warm-ups; sorted wall-clock milliseconds. Also prints the
   * median CPU time of this thread, which a machine shared with other work inflates less.
   */
  private List<Double> time(String what, Runnable run) {
    for (int i = 0; i < 5; i++) run.run(); // warm-up: JIT
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Double> millis = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      run.run();
      cpu.add((threads.getCurrentThreadCpuTime() - cpuStart) / 1e6);
      millis.add((System.nanoTime() - start) / 1e6);
    }
    Collections.sort(millis);
    Collections.sort(cpu);
    out.printf(
        "%s: wall median %.1f ms (max %.1f), CPU of this thread median %.1f ms%n",
        what,
        millis.get(millis.size() / 2),
        millis.get(millis.size() - 1),
        cpu.get(cpu.size() / 2));
    return millis;
  }

  public void run(ResultTable table) {
    long t0 = System.nanoTime();
    DesiredState state = PlanFixture.state(PlanFixture.SHAPE);
    out.printf(
        "read and validated %,d files (%,d apps) in %d ms%n",
        PlanFixture.SHAPE.files(), state.apps().size(), (System.nanoTime() - t0) / 1_000_000);
    List<String> hosts = PlanFixture.hostIds(PlanFixture.SHAPE);
    long containers = planAll(state, hosts);
    List<Double> scratch =
        time(
            String.format(
                "full plan from scratch, %,d hosts, %,d containers", hosts.size(), containers),
            () -> planAll(state, hosts));
    double median = scratch.get(scratch.size() / 2);

    // A commit that changes one app: alternate its version, a new revision every time.
    App changed = state.apps().values().iterator().next();
    DesiredState[] states = {
      state, PlanFixture.withVersion(state, changed, changed.version() + "-next")
    };
    FleetPlan[] plan = {new FleetPlan(state, PlanFixture.REVISION)};
    int[] commit = {0};
    List<Double> afterCommit =
        time(
            "full plan after a 1-app commit (derived from the previous plan)",
            () -> {
              int c = ++commit[0];
              plan[0] =
                  plan[0].next(
                      states[c % 2],
                      app -> app.equals(changed.name()) ? "r" + c : PlanFixture.REVISION);
              if (assignAll(plan[0], hosts) != 10L * hosts.size())
                throw new HarnessFailure("wrong container count after a commit");
            });
    double next = afterCommit.get(afterCommit.size() / 2);
    if (containers != 10L * hosts.size())
      throw new HarnessFailure(
          "planned " + containers + " containers, expected " + 10L * hosts.size());
    table.add(
        Measurement.of(
            "8",
            "full plan of 20,000 hosts × 10 containers",
            "≤ 50 ms",
            String.format(
                "%.1f ms from scratch, %.1f ms after a 1-app commit (medians of 15)", median, next),
            median <= 50,
            "verdict on the from-scratch plan; after a commit only changed apps are rebuilt"));
  }
}
