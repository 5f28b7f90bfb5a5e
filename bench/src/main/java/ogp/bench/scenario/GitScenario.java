package ogp.bench.scenario;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import ogp.bench.repo.FleetRepository;
import ogp.bench.repo.FleetShape;
import ogp.bench.report.Measurement;
import ogp.bench.report.ResultTable;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.DesiredStateSource;
import ogp.reconciler.plan.FleetPlan;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.source.PollResult;

/**
 * Rows 5–7 on a 20,000-file repository, with the server's own Git source code in this JVM ({@link
 * GitMirror} and {@link DesiredStateSource}) following a real bare repository over {@code file://}:
 * cold start to the first valid snapshot, no-change polls, and 1-file commits taken through fetch,
 * tree diff, re-parse of the changed file, validation and the full plan (derived from the previous
 * revision's plan, as the reconciler does).
 */
public final class GitScenario {
  private final Path workDir;
  private final PrintStream out;
  private final int commits;

  public GitScenario(Path workDir, PrintStream out, int commits) {
    this.workDir = workDir;
    this.out = out;
    this.commits = commits;
  }

  public void run(ResultTable table) {
    FleetShape shape = PlanFixture.SHAPE;
    try (FleetRepository repo = FleetRepository.create(workDir.resolve("big.git"))) {
      long g = System.nanoTime();
      repo.commit("Generated fleet of " + shape.files() + " files", shape);
      out.printf(
          "generated %,d files, %,d apps on %,d hosts in %d ms%n",
          shape.files(), shape.apps(), shape.hosts(), (System.nanoTime() - g) / 1_000_000);
      long r = System.nanoTime();
      repo.repack(); // served as a hosted server keeps it: one pack with a bitmap (see
      // FleetRepository#repack)
      out.printf(
          "git repack -adb of the generated repository: %d ms%n",
          (System.nanoTime() - r) / 1_000_000);
      AtomicReference<AppliedRevision> applied = new AtomicReference<>();

      long t0 = System.nanoTime();
      GitMirror mirror =
          GitMirror.open(GitRemote.of(repo.url(), "main", ""), workDir.resolve("mirror"));
      try {
        DesiredStateSource source = new DesiredStateSource(mirror, Clock.systemUTC(), applied::set);
        if (!source.refresh())
          throw new HarnessFailure(
              "the generated repository did not validate: " + source.invalid());
        double cold = (System.nanoTime() - t0) / 1e6;
        out.printf("cold start: clone + read + validate %,d files: %.0f ms%n", shape.files(), cold);
        table.add(
            Measurement.of(
                "7",
                "cold start on the 20,000-file repository to first valid snapshot",
                "≤ 2 s",
                String.format("%.2f s", cold / 1000),
                cold <= 2000,
                "empty mirror, fresh JVM code paths; clone + parse + validate"));

        List<Double> noChange = new ArrayList<>();
        int fetches = 0;
        for (int i = 0; i < 50; i++) {
          long s = System.nanoTime();
          PollResult poll = mirror.poll();
          noChange.add((System.nanoTime() - s) / 1e6);
          if (poll.fetched() || poll.changed()) fetches++;
        }
        Collections.sort(noChange);
        double p50 = noChange.get(24);
        double p99 = noChange.get(49);
        out.printf("no-change poll x50: p50 %.2f ms, max %.2f ms, %d fetched%n", p50, p99, fetches);
        table.add(
            Measurement.of(
                "5",
                "no-change poll of the 20,000-file repository",
                "one ref advertisement, no fetch, ≤ 20 ms",
                String.format("p50 %.2f ms, max %.2f ms, %d fetches in 50", p50, p99, fetches),
                fetches == 0 && p99 <= 20,
                "ls-remote over file://"));

        List<Double> oneFile = new ArrayList<>();
        List<String> hosts = PlanFixture.hostIds(shape);
        // The reconciler keeps the plan of the applied revision and derives the next from it.
        FleetPlan plan = FleetPlan.EMPTY.next(applied.get().state(), applied.get()::revisionOf);
        for (int c = 0; c < commits; c++) {
          int app = (c * 7919) % shape.apps();
          String sha =
              repo.commit(
                  "Deploy app-" + app,
                  Map.of(shape.filePath(app % shape.files()), shape.appYaml(app, 2 + c)));
          long s = System.nanoTime();
          if (!source.refresh())
            throw new HarnessFailure("1-file commit " + sha + " was not applied");
          plan = plan.next(applied.get().state(), applied.get()::revisionOf);
          long planned = PlanScenario.assignAll(plan, hosts);
          oneFile.add((System.nanoTime() - s) / 1e6);
          if (planned != 10L * hosts.size())
            throw new HarnessFailure("planned " + planned + " containers");
        }
        Collections.sort(oneFile);
        double q50 = oneFile.get(oneFile.size() / 2);
        double q99 = oneFile.get((int) Math.ceil(0.99 * oneFile.size()) - 1);
        out.printf(
            "1-file commit x%d: fetch + diff + parse + validate + plan: p50 %.0f ms, p99 %.0f ms%n",
            commits, q50, q99);
        table.add(
            Measurement.of(
                "6",
                "1-file commit: fetch + tree diff + parse + plan",
                "p99 ≤ 300 ms",
                String.format("p50 %.0f ms, p99 %.0f ms (%d commits)", q50, q99, commits),
                q99 <= 300,
                "includes validating the whole tree and planning all 20,000 hosts"));
      } finally {
        mirror.close();
      }
    }
  }
}
