package ogp.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import ogp.bench.repo.FleetRepository;
import ogp.bench.repo.FleetShape;
import ogp.bench.report.Measurement;
import ogp.bench.report.ResultTable;
import ogp.bench.server.OgpServer;
import ogp.bench.server.ProcessSample;
import ogp.bench.server.ServerLaunch;
import ogp.bench.sim.AgentSimulator;
import ogp.bench.sim.SimulatorSettings;

/**
 * Rows 1–4 and 10: a real {@code ogp server} process and N simulated agents in this JVM.
 *
 * <p>Order: the server starts on a generated repository (one fleet-wide app selected by a label
 * every agent has, plus host-placed apps), the idle server's heap and RSS are taken, the agents
 * connect and must all converge; then a steady window of heartbeats only gives CPU and the RTT
 * percentiles; memory per agent is the growth of heap-after-GC and RSS over the idle server; then
 * commits of the fleet-wide app are announced by signed webhooks and timed to the last assignment
 * received and the last converged report written; finally the server is restarted on the same data
 * dir and port and every agent must be back.
 *
 * <p>Any step whose agents did not all connect, converge or return throws {@link HarnessFailure}:
 * the harness never reports a number measured on fewer agents than asked for.
 */
public final class FleetScenario {
  /**
   * @param steadyWindow heartbeats-only window over which CPU and RTT are measured
   * @param deploys how many webhook-announced commits are timed
   */
  public record Settings(
      ServerLaunch launch,
      Path workDir,
      int agents,
      Duration steadyWindow,
      int deploys,
      boolean restart) {}

  /** What the run saw, for the harness tests and the table. */
  public record Result(
      int connected,
      int converged,
      double cpuPercent,
      double rttP50Millis,
      double rttP99Millis,
      long heapPerAgentBytes,
      long rssPerAgentBytes,
      List<Double> assignmentMillis,
      List<Double> convergedMillis,
      Double restartBackMillis,
      long falseLost) {}

  private final Settings s;
  private final PrintStream out;

  public FleetScenario(Settings settings, PrintStream out) {
    this.s = settings;
    this.out = out;
  }

  public Result run(ResultTable table) throws IOException, InterruptedException {
    int n = s.agents();
    FleetShape shape = new FleetShape(Math.max(1, n / 10), n, Math.max(1, n / 100), 1, true);
    try (FleetRepository repo = FleetRepository.create(s.workDir().resolve("fleet.git"))) {
      repo.commit("Generated fleet", shape);
      String first =
          repo.commit(
              "Fleet-wide app v1",
              Map.of(FleetShape.FLEET_WIDE_FILE, FleetShape.fleetWideYaml("1")));
      Path data = s.workDir().resolve("server-data");
      OgpServer server = OgpServer.start(s.launch(), repo.url(), data, Duration.ofHours(1), 0);
      try {
        Duration ready = server.awaitReady(Duration.ofSeconds(60));
        out.printf(
            "server pid %d ready in %d ms (agents on 127.0.0.1:%d)%n",
            server.pid(), ready.toMillis(), server.agentPort());
        long idleHeap = server.heapAfterGcBytes();
        long idleRss = server.sample().rssBytes();
        SimulatorSettings sim =
            SimulatorSettings.of(
                "127.0.0.1",
                server.agentPort(),
                server.joinToken(),
                n,
                Map.of(FleetShape.FLEET_LABEL, FleetShape.FLEET_VALUE));
        try (AgentSimulator fleet = new AgentSimulator(sim)) {
          long connectStart = System.nanoTime();
          fleet.connectAll();
          requireThat(
              fleet.await(f -> f.counters().connected() == n, Duration.ofSeconds(30 + n / 100)),
              () ->
                  "only "
                      + fleet.counters().connected()
                      + " of "
                      + n
                      + " agents connected; refusals: "
                      + sample(fleet.counters().refusals()));
          out.printf(
              "%d agents connected in %d ms%n", n, (System.nanoTime() - connectStart) / 1_000_000);
          requireThat(
              fleet.await(f -> f.convergedTo(first) == n, Duration.ofSeconds(30 + n / 200)),
              () ->
                  "only "
                      + fleet.convergedTo(first)
                      + " of "
                      + n
                      + " agents converged to "
                      + first);
          out.printf(
              "%d agents converged to %s in %d ms%n",
              n, first.substring(0, 12), (System.nanoTime() - connectStart) / 1_000_000);

          // Steady state: heartbeats only.
          // Warm-up as long as the window: a JFR of the first seconds after the converge showed the
          // JIT
          // (C2) still compiling the connect-time code on one of the two cores.
          out.printf(
              "warm-up %d s of heartbeats before the steady window%n",
              s.steadyWindow().toSeconds());
          Thread.sleep(s.steadyWindow().toMillis());
          fleet.rtt().reset();
          ProcessSample before = server.sample();
          Thread.sleep(s.steadyWindow().toMillis());
          ProcessSample after = server.sample();
          double cpu = after.cpuPercentSince(before);
          double p50 = fleet.rtt().quantileMillis(0.50);
          double p99 = fleet.rtt().quantileMillis(0.99);
          long beats = fleet.rtt().count();
          out.printf(
              "steady %d s: server CPU %.1f %% of one core, %d heartbeats acked, RTT p50 %.2f ms p99 %.2f ms%n",
              s.steadyWindow().toSeconds(), cpu, beats, p50, p99);
          requireThat(beats > 0, () -> "no heartbeat was acked in the steady window");
          long heap = server.heapAfterGcBytes();
          long rss = server.sample().rssBytes();
          long heapPer = (heap - idleHeap) / n;
          long rssPer = (rss - idleRss) / n;
          out.printf(
              "memory: heap after GC %d -> %d MiB (%d B/agent), RSS %d -> %d MiB (%d B/agent)%n",
              idleHeap >> 20, heap >> 20, heapPer, idleRss >> 20, rss >> 20, rssPer);

          // Deploys announced by webhook.
          List<Double> assigned = new ArrayList<>();
          List<Double> converged = new ArrayList<>();
          for (int d = 2; d < 2 + s.deploys(); d++) {
            String sha =
                repo.commit(
                    "Fleet-wide app v" + d,
                    Map.of(
                        FleetShape.FLEET_WIDE_FILE, FleetShape.fleetWideYaml(Integer.toString(d))));
            long t0 = System.nanoTime();
            int status = server.githubPush(sha, "bench-" + d + "-" + t0);
            requireThat(status == 202, () -> "webhook answered " + status);
            requireThat(
                fleet.await(f -> f.convergedTo(sha) == n, Duration.ofSeconds(60)),
                () ->
                    "only " + fleet.convergedTo(sha) + " of " + n + " agents converged to " + sha);
            assigned.add((fleet.lastAssignmentReceivedNanos() - t0) / 1e6);
            converged.add((fleet.lastReportWrittenNanos() - t0) / 1e6);
            out.printf(
                "deploy %d: webhook -> last assignment received %.0f ms, -> last converged report written %.0f ms%n",
                d - 1, assigned.get(assigned.size() - 1), converged.get(converged.size() - 1));
            Thread.sleep(1_000);
          }
          int synced = syncedHosts(server);
          out.printf(
              "server API: %d of %d hosts Synced for %s%n", synced, n, FleetShape.FLEET_WIDE_APP);
          requireThat(
              synced == n, () -> "the server sees only " + synced + " of " + n + " hosts synced");

          Double back = null;
          long falseLost = 0;
          if (s.restart()) {
            long sessionsBefore = fleet.counters().sessions();
            long t0 = System.nanoTime();
            server.close(); // SIGTERM: the operator's restart
            server =
                OgpServer.start(
                    s.launch(), repo.url(), data, Duration.ofHours(1), server.agentPort());
            OgpServer restarted = server;
            requireThat(
                fleet.await(
                    f ->
                        f.counters().sessions() >= sessionsBefore + n
                            && f.counters().connected() == n,
                    Duration.ofSeconds(90)),
                () -> "only " + fleet.counters().connected() + " of " + n + " agents came back");
            back = (System.nanoTime() - t0) / 1e6;
            double fromStart = (System.nanoTime() - restarted.startedNanos()) / 1e6;
            Thread.sleep(3_000); // a lost host would show within the liveness check period
            falseLost = restarted.logLinesContaining("is lost");
            out.printf(
                "restart: all %d agents back %.0f ms after SIGTERM (%.0f ms after the new process started); %d host(s) marked lost%n",
                n, back, fromStart, falseLost);
          }
          Result r =
              new Result(
                  fleet.counters().connected(),
                  fleet.convergedTo(repo.head()),
                  cpu,
                  p50,
                  p99,
                  heapPer,
                  rssPer,
                  assigned,
                  converged,
                  back,
                  falseLost);
          record(table, r, n);
          return r;
        }
      } finally {
        server.close();
      }
    }
  }

  private void record(ResultTable table, Result r, int n) {
    table.add(
        Measurement.of(
            "1",
            "agents held, heartbeat every 3 s",
            "10,000, server CPU ≤ 25 % of one core",
            String.format("%,d agents, CPU %.1f %%", n, r.cpuPercent()),
            n >= 10_000 && r.cpuPercent() <= 25,
            "utime+stime delta over " + s.steadyWindow().toSeconds() + " s"));
    long worst = Math.max(r.heapPerAgentBytes(), r.rssPerAgentBytes());
    table.add(
        Measurement.of(
            "2",
            "server memory per connected agent",
            "≤ 16 KB",
            String.format(
                "heap %.1f KB, RSS %.1f KB",
                r.heapPerAgentBytes() / 1024.0, r.rssPerAgentBytes() / 1024.0),
            worst <= 16 * 1024,
            "growth over the idle server, after a full GC"));
    table.add(
        Measurement.of(
            "3",
            "heartbeat round trip at " + String.format("%,d", n) + " agents",
            "p99 ≤ 10 ms",
            String.format("p50 %.2f ms, p99 %.2f ms", r.rttP50Millis(), r.rttP99Millis()),
            r.rttP99Millis() <= 10,
            "measured in the simulator JVM on the same 2 cores"));
    double a = Collections.max(r.assignmentMillis());
    double c = Collections.max(r.convergedMillis());
    table.add(
        Measurement.of(
            "4",
            "webhook → last assignment; → all converged",
            "≤ 1 s; ≤ 3 s",
            String.format("%.0f ms; %.0f ms (worst of %d)", a, c, r.assignmentMillis().size()),
            a <= 1000 && c <= 3000,
            "timed from the webhook POST, received at the agents; converged verified via the API"));
    if (r.restartBackMillis() != null) {
      table.add(
          Measurement.of(
              "10",
              "all agents back after a server restart",
              "≤ 15 s, no false lost",
              String.format("%.1f s, %d lost", r.restartBackMillis() / 1000, r.falseLost()),
              r.restartBackMillis() <= 15_000 && r.falseLost() == 0,
              "from SIGTERM; agents use the real agent's backoff (200 ms … 5 s, full jitter)"));
    }
  }

  /**
   * Hosts the server's API shows Synced for the fleet-wide app (per-host entries carry a "host"
   * field).
   */
  private static int syncedHosts(OgpServer server) throws IOException, InterruptedException {
    JsonNode app =
        new ObjectMapper().readTree(server.get("/api/v1/apps/" + FleetShape.FLEET_WIDE_APP).body());
    int count = 0;
    for (JsonNode host : app.findParents("host")) {
      if ("Synced".equalsIgnoreCase(host.path("sync").asText())) count++;
    }
    return count;
  }

  private static String sample(Map<String, String> refusals) {
    return refusals.entrySet().stream().limit(3).toList().toString();
  }

  private static void requireThat(boolean ok, java.util.function.Supplier<String> why) {
    if (!ok) throw new HarnessFailure(why.get());
  }
}
