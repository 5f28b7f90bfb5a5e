package ogp.bench.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import ogp.bench.repo.FleetRepository;
import ogp.bench.repo.FleetShape;
import ogp.bench.report.Measurement;
import ogp.bench.report.ResultTable;
import ogp.bench.server.EtcdActivity;
import ogp.bench.server.EtcdLaunch;
import ogp.bench.server.OgpServer;
import ogp.bench.server.ProcessSample;
import ogp.bench.server.ReplicaSet;
import ogp.bench.server.ServerLaunch;
import ogp.bench.sim.AgentSimulator;
import ogp.bench.sim.EpochTimeline;
import ogp.bench.sim.SimulatorSettings;

/**
 * Rows H1–H5 (issue 18): a real three-member etcd, three {@code ogp server --etcd} replica
 * processes and N simulated agents given all three agent addresses.
 *
 * <p>Order: the replicas start together and elect a leader; the agents connect (to any replica,
 * following Redirects) and must all be welcomed at one epoch and converge. Then, with nothing
 * changing, etcd's write counters are read on every member over a steady window (H5); commits of a
 * one-host app announced by webhook to the leader are timed to that host's assignment (H4,
 * replicated). SIGTERM to the leader is timed to the first Assignment any agent receives at a
 * higher epoch (H1); the stopped replica is started again as a standby; kill -9 of the new leader
 * is timed to the first Assignment at a higher epoch still (H2) and to the last agent welcomed at
 * that epoch (H3). Finally etcd and the replicas stop, and a single-node server on the same
 * repository with the same fleet gives H4's baseline.
 *
 * <p>Where the leader is: the replica whose agent address the welcomed agents dialled at the
 * highest epoch (the agents' view; the cluster API is printed alongside). Every time is a receive
 * time recorded by the simulated agents on their event loops, not the moment the harness polled.
 *
 * <p>Any step whose agents did not all connect, converge or return throws {@link HarnessFailure}.
 */
public final class HaScenario {
  static final String PROBE_APP = "probe";
  static final String PROBE_FILE = "apps/probe.yaml";
  static final String PROBE_HOST = FleetShape.hostId(0);

  /** What a standby logs once its throwaway warm-up server has run (ServerWarmUp). */
  static final String WARM_UP_DONE = "warming up: done";

  /**
   * @param lease {@code --leader-lease} of every replica
   * @param steadyWindow the window over which etcd's counters are read with nothing changing
   * @param latencySamples webhook → assignment samples per server (after one warm-up sample)
   */
  public record Settings(
      ServerLaunch launch,
      Path etcdBinary,
      Path workDir,
      int agents,
      Duration lease,
      Duration steadyWindow,
      int latencySamples) {}

  /** What the run saw, for the harness tests and the table. */
  public record Result(
      long firstEpoch,
      double gracefulMillis,
      long gracefulEpoch,
      double crashMillis,
      long crashEpoch,
      double allBackMillis,
      List<Double> replicatedMillis,
      List<Double> singleMillis,
      EtcdActivity.Rates steady,
      long staleRefused) {}

  private final Settings s;
  private final PrintStream out;
  private int probeVersion = 1; // every probe commit changes the app, or nothing would be sent

  public HaScenario(Settings settings, PrintStream out) {
    this.s = settings;
    this.out = out;
  }

  public Result run(ResultTable table) throws IOException, InterruptedException {
    int n = s.agents();
    FleetShape shape = new FleetShape(Math.max(1, n / 10), n, Math.max(1, n / 100), 1, true);
    try (FleetRepository repo = FleetRepository.create(s.workDir().resolve("ha.git"))) {
      repo.commit("Generated fleet", shape);
      String first =
          repo.commit(
              "Fleet-wide app v1, probe v1",
              Map.of(
                  FleetShape.FLEET_WIDE_FILE,
                  FleetShape.fleetWideYaml("1"),
                  PROBE_FILE,
                  probeYaml(1)));
      Replicated replicated = replicated(repo, first);
      // Rows measured on every agent stand even if the baseline below cannot be measured.
      recordReplicated(table, replicated);
      out.println("single-node baseline: the same repository and fleet, no etcd");
      List<Double> single;
      try {
        single = singleNode(repo);
      } catch (HarnessFailure e) {
        table.add(Measurement.notRun("H4", LATENCY_MEASURE, LATENCY_TARGET, e.getMessage()));
        throw e;
      }
      recordLatency(table, replicated.latency(), single);
      Result r =
          new Result(
              replicated.firstEpoch,
              replicated.gracefulMillis,
              replicated.gracefulEpoch,
              replicated.crashMillis,
              replicated.crashEpoch,
              replicated.allBackMillis,
              replicated.latency,
              single,
              replicated.steady,
              replicated.staleRefused);
      return r;
    }
  }

  private record Replicated(
      long firstEpoch,
      double gracefulMillis,
      long gracefulEpoch,
      double crashMillis,
      long crashEpoch,
      double allBackMillis,
      List<Double> latency,
      EtcdActivity.Rates steady,
      long staleRefused) {}

  private Replicated replicated(FleetRepository repo, String first)
      throws IOException, InterruptedException {
    int n = s.agents();
    try (EtcdLaunch etcd =
            EtcdLaunch.start(
                s.etcdBinary(), s.workDir(), 3, Duration.ofSeconds(30)); // before the replicas
        ReplicaSet replicas =
            ReplicaSet.start(
                s.launch(),
                repo.url(),
                s.workDir().resolve("replicas"),
                Duration.ofHours(1),
                etcd.endpointsFlag(),
                s.lease(),
                3,
                Duration.ofSeconds(90))) {
      out.printf("etcd: 3 members at %s%n", etcd.endpointsFlag());
      out.printf(
          "replicas: %d ready (the first alone, then the others), agents on %s, lease %d s%n",
          replicas.size(), String.join(",", replicas.agentAddresses()), s.lease().toSeconds());
      SimulatorSettings sim =
          SimulatorSettings.of(
              replicas.agentAddresses(),
              replicas.joinToken(),
              n,
              Map.of(FleetShape.FLEET_LABEL, FleetShape.FLEET_VALUE));
      try (AgentSimulator fleet = new AgentSimulator(sim)) {
        long connectStart = System.nanoTime();
        fleet.connectAll();
        requireThat(
            fleet.await(
                f -> f.leader().map(l -> l.agents() == n).orElse(false),
                Duration.ofSeconds(60 + n / 100)),
            () ->
                "only "
                    + fleet.leader().map(AgentSimulator.SeenLeader::agents).orElse(0)
                    + " of "
                    + n
                    + " agents welcomed by one leader; "
                    + fleet.whereAgentsAre()
                    + "; refusals: "
                    + sample(fleet.counters().refusals()));
        AgentSimulator.SeenLeader leader = fleet.leader().orElseThrow();
        int leaderIndex = replicaAt(replicas, leader);
        out.printf(
            "%d agents welcomed by %s at epoch %d in %d ms (%d redirects followed)%n",
            n,
            ReplicaSet.memberId(leaderIndex),
            leader.epoch(),
            (System.nanoTime() - connectStart) / 1_000_000,
            fleet.counters().redirectsFollowed());
        out.println("cluster API: " + clusterView(replicas, (leaderIndex + 1) % 3));
        requireThat(
            fleet.await(f -> f.convergedTo(first) == n, Duration.ofSeconds(30 + n / 200)),
            () ->
                "only " + fleet.convergedTo(first) + " of " + n + " agents converged to " + first);

        EtcdActivity.Rates steady = steadyEtcd(etcd, replicas, leaderIndex);
        List<Double> latency =
            probeLatencies(repo, replicas.get(leaderIndex), fleet, "replicated leader");

        // H1: graceful failover, with the standbys warm (see the crash below).
        for (int i = 0; i < replicas.size(); i++) {
          if (i != leaderIndex
              && !awaitLogLine(replicas.get(i), WARM_UP_DONE, Duration.ofSeconds(120)))
            out.printf("  %s logged no '%s' within 120 s%n", ReplicaSet.memberId(i), WARM_UP_DONE);
        }
        long epoch1 = leader.epoch();
        long t0 = System.nanoTime();
        replicas.get(leaderIndex).terminate();
        EpochTimeline.Seen graceful = awaitAssignmentAbove(fleet, epoch1, Duration.ofSeconds(60));
        double gracefulMillis = (graceful.nanos() - t0) / 1e6;
        out.printf(
            "SIGTERM to %s (epoch %d) -> first assignment at epoch %d: %.0f ms%n",
            ReplicaSet.memberId(leaderIndex), epoch1, graceful.epoch(), gracefulMillis);
        requireThat(
            fleet.await(f -> f.welcomedAt(graceful.epoch()) == n, Duration.ofSeconds(60)),
            () ->
                "only "
                    + fleet.welcomedAt(graceful.epoch())
                    + " of "
                    + n
                    + " agents welcomed at epoch "
                    + graceful.epoch()
                    + "; "
                    + fleet.whereAgentsAre());
        out.printf(
            "  all %d agents welcomed at epoch %d %.0f ms after the SIGTERM%n",
            n, graceful.epoch(), (fleet.lastWelcomeAtNanos(graceful.epoch()) - t0) / 1e6);
        replicas.get(leaderIndex).close(); // waits for the stop
        OgpServer restarted = replicas.restart(leaderIndex);
        replicas.awaitReady(Duration.ofSeconds(90));
        // A standby runs the server once ahead so that a takeover is not a cold start; the crash
        // below is measured with both standbys warm, as in a cluster that has run for a while.
        long warmStart = System.nanoTime();
        boolean warm = awaitLogLine(restarted, WARM_UP_DONE, Duration.ofSeconds(120));
        out.printf(
            "  %s started again as a standby (%s)%n",
            ReplicaSet.memberId(leaderIndex),
            warm
                ? "warm-up done " + (System.nanoTime() - warmStart) / 1_000_000 + " ms after ready"
                : "no '" + WARM_UP_DONE + "' line within 120 s");

        // H2, H3: crash failover.
        AgentSimulator.SeenLeader second = fleet.leader().orElseThrow();
        requireThat(
            second.epoch() == graceful.epoch(),
            () -> "the agents' leader moved on to epoch " + second.epoch() + " without a failover");
        int secondIndex = replicaAt(replicas, second);
        long t1 = System.nanoTime();
        replicas.get(secondIndex).kill();
        EpochTimeline.Seen crash =
            awaitAssignmentAbove(fleet, second.epoch(), s.lease().multipliedBy(3));
        double crashMillis = (crash.nanos() - t1) / 1e6;
        out.printf(
            "kill -9 of %s (epoch %d) -> first assignment at epoch %d: %.0f ms%n",
            ReplicaSet.memberId(secondIndex), second.epoch(), crash.epoch(), crashMillis);
        requireThat(
            fleet.await(f -> f.welcomedAt(crash.epoch()) == n, Duration.ofSeconds(90)),
            () ->
                "only "
                    + fleet.welcomedAt(crash.epoch())
                    + " of "
                    + n
                    + " agents welcomed at epoch "
                    + crash.epoch()
                    + "; "
                    + fleet.whereAgentsAre());
        double allBack = (fleet.lastWelcomeAtNanos(crash.epoch()) - t1) / 1e6;
        out.printf(
            "  all %d agents welcomed at epoch %d %.0f ms after the kill%n",
            n, crash.epoch(), allBack);
        long stale = fleet.counters().staleRefused();
        out.printf(
            "agents: %d stale welcomes/assignments refused, %d redirects followed, %d ignored, %d connects failed, %d sessions closed without a Welcome in 10 s, %d silent sessions closed%n",
            stale,
            fleet.counters().redirectsFollowed(),
            fleet.counters().redirectsIgnored(),
            fleet.counters().connectFailures(),
            fleet.counters().welcomeTimeouts(),
            fleet.counters().silentSessions());
        if (fleet.counters().welcomeTimeouts() > 0) {
          Map<String, Long> byReplica = new java.util.TreeMap<>();
          fleet
              .counters()
              .welcomeTimeoutsByServer()
              .forEach(
                  (address, count) ->
                      byReplica.put(
                          replicas.indexOf(address).map(ReplicaSet::memberId).orElse(address),
                          count));
          out.println("  connections left without a Welcome, by replica: " + byReplica);
        }
        return new Replicated(
            epoch1,
            gracefulMillis,
            graceful.epoch(),
            crashMillis,
            crash.epoch(),
            allBack,
            latency,
            steady,
            stale);
      }
    }
  }

  /** H5: etcd's counters on every member over the steady window, nothing changing. */
  private EtcdActivity.Rates steadyEtcd(EtcdLaunch etcd, ReplicaSet replicas, int leaderIndex)
      throws IOException, InterruptedException {
    Duration window = s.steadyWindow();
    // Let the connect's after-effects settle (reports, the first resync) before counting.
    out.printf("settling %d s before the steady window%n", window.toSeconds());
    Thread.sleep(window.toMillis());
    List<ProcessSample> cpuBefore = new ArrayList<>();
    for (int i = 0; i < replicas.size(); i++) cpuBefore.add(replicas.get(i).sample());
    EtcdActivity before = EtcdActivity.of(etcd);
    Thread.sleep(window.toMillis());
    EtcdActivity after = EtcdActivity.of(etcd);
    EtcdActivity.Rates r = after.ratesSince(before);
    List<String> cpu = new ArrayList<>();
    for (int i = 0; i < replicas.size(); i++) {
      cpu.add(
          String.format(
              "%s%s %.1f %%",
              ReplicaSet.memberId(i),
              i == leaderIndex ? " (leader)" : "",
              replicas.get(i).sample().cpuPercentSince(cpuBefore.get(i))));
    }
    out.printf(
        "steady %.0f s, per member: %.2f writes/s (puts+deletes), %.2f txns/s, revision +%.2f/s, %.2f raft proposals/s, %.2f lease keep-alives/s%n",
        r.seconds(), r.writes(), r.txns(), r.revisions(), r.proposals(), r.leaseRenewals());
    out.println("  replica CPU (one core = 100 %): " + String.join(", ", cpu));
    return r;
  }

  /**
   * H4: one warm-up, then {@code latencySamples} commits of the probe app (one host), each
   * announced by a signed webhook to {@code server} and timed to the probe host's assignment.
   */
  private List<Double> probeLatencies(
      FleetRepository repo, OgpServer server, AgentSimulator fleet, String what)
      throws IOException, InterruptedException {
    List<Double> samples = new ArrayList<>();
    for (int i = 0; i <= s.latencySamples(); i++) {
      String sha =
          repo.commit("Probe " + what + " " + i, Map.of(PROBE_FILE, probeYaml(++probeVersion)));
      long t0 = System.nanoTime();
      int status = server.githubPush(sha, "bench-ha-" + t0);
      requireThat(status == 202, () -> "webhook answered " + status);
      requireThat(
          fleet.await(f -> f.assignmentReceivedNanos(PROBE_HOST, sha) != 0, Duration.ofSeconds(30)),
          () -> PROBE_HOST + " got no assignment at " + sha);
      double ms = (fleet.assignmentReceivedNanos(PROBE_HOST, sha) - t0) / 1e6;
      if (i > 0) samples.add(ms); // the first warms the path up
      Thread.sleep(300);
    }
    out.printf(
        "%s: webhook -> probe host's assignment x%d: p50 %.1f ms, %s%n",
        what, samples.size(), median(samples), format(samples));
    return samples;
  }

  private List<Double> singleNode(FleetRepository repo) throws IOException, InterruptedException {
    int n = s.agents();
    OgpServer server =
        OgpServer.start(
            s.launch(), repo.url(), s.workDir().resolve("single"), Duration.ofHours(1), 0);
    try {
      server.awaitReady(Duration.ofSeconds(60));
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
                    + " agents connected to the single node; "
                    + fleet.whereAgentsAre()
                    + "; refusals: "
                    + sample(fleet.counters().refusals()));
        String head = repo.head();
        requireThat(
            fleet.await(f -> f.convergedTo(head) == n, Duration.ofSeconds(30 + n / 200)),
            () ->
                "only "
                    + fleet.convergedTo(head)
                    + " of "
                    + n
                    + " agents converged to "
                    + head
                    + " on the single node; "
                    + fleet.whereAgentsAre()
                    + "; refusals: "
                    + sample(fleet.counters().refusals()));
        out.printf(
            "%d agents connected and converged in %d ms; settling %d s as the replicas did before"
                + " their samples%n",
            n, (System.nanoTime() - connectStart) / 1_000_000, 2 * s.steadyWindow().toSeconds());
        // The replicated leader's samples come after the settle and the steady window: the same
        // quiet here, or the single node's first samples pay its post-connect JIT and GC.
        Thread.sleep(2 * s.steadyWindow().toMillis());
        return probeLatencies(repo, server, fleet, "single node");
      }
    } finally {
      server.close();
    }
  }

  private static boolean awaitLogLine(OgpServer server, String text, Duration deadline)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (server.logLinesContaining(text) == 0) {
      if (System.nanoTime() > end) return false;
      Thread.sleep(100);
    }
    return true;
  }

  private static EpochTimeline.Seen awaitAssignmentAbove(
      AgentSimulator fleet, long epoch, Duration deadline) throws InterruptedException {
    requireThat(
        fleet.await(f -> f.timeline().firstAssignmentAbove(epoch).isPresent(), deadline),
        () -> "no agent received an assignment at an epoch above " + epoch + " within " + deadline);
    return fleet.timeline().firstAssignmentAbove(epoch).orElseThrow();
  }

  private static int replicaAt(ReplicaSet replicas, AgentSimulator.SeenLeader leader) {
    return replicas
        .indexOf(leader.agentAddress())
        .orElseThrow(
            () ->
                new HarnessFailure(
                    "the agents' leader " + leader.agentAddress() + " is no replica"));
  }

  /** What {@code GET /api/v1/cluster} of replica {@code index} says: who leads, at which epoch. */
  private static String clusterView(ReplicaSet replicas, int index) {
    try {
      var r = replicas.get(index).get("/api/v1/cluster", replicas.adminToken());
      if (r.statusCode() != 200) return "answered " + r.statusCode();
      var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
      return String.format(
          "%s sees leader %s at epoch %d, %d live member(s)",
          json.path("self").asText("?"),
          json.path("leader").path("id").asText("none"),
          json.path("epoch").asLong(),
          json.path("members").size());
    } catch (IOException e) {
      return "unavailable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static final String LATENCY_MEASURE =
      "commit → assignment, replicated leader vs single node";
  private static final String LATENCY_TARGET = "difference ≤ 20 ms";

  private void recordReplicated(ResultTable table, Replicated r) {
    table.add(
        Measurement.of(
            "H1",
            "graceful failover: SIGTERM to the leader → new leader commanding",
            "≤ 2 s",
            String.format("%.0f ms", r.gracefulMillis()),
            r.gracefulMillis() <= 2_000,
            "to the first Assignment any agent received at the new epoch"));
    long leaseSeconds = s.lease().toSeconds();
    double crashTarget = (leaseSeconds + 2) * 1000.0;
    table.add(
        Measurement.of(
            "H2",
            "crash failover: kill -9 of the leader → new leader commanding",
            String.format("≤ %d s with a %d s lease", leaseSeconds + 2, leaseSeconds),
            String.format("%.1f s", r.crashMillis() / 1000),
            r.crashMillis() <= crashTarget,
            "to the first Assignment at a higher epoch; the dead leader's lease must expire first"));
    table.add(
        Measurement.of(
            "H3",
            String.format("all %,d agents reconnected to the new leader", s.agents()),
            "≤ 15 s after the crash",
            String.format("%.1f s", r.allBackMillis() / 1000),
            r.allBackMillis() <= 15_000,
            "last Welcome at the new epoch, from the kill -9; agents rotate over 3 addresses with the"
                + " real agent's backoff (200 ms … 5 s, full jitter)"));
    table.add(
        Measurement.of(
            "H5",
            "etcd writes in steady state, nothing changing",
            "≈ 0 (≤ 0.1/s)",
            String.format("%.2f writes/s, %.2f txns/s", r.steady().writes(), r.steady().txns()),
            r.steady().writes() <= 0.1,
            String.format(
                "puts+deletes on each member over %.0f s; lease keep-alives (%.2f/s) are not writes",
                r.steady().seconds(), r.steady().leaseRenewals())));
  }

  private void recordLatency(ResultTable table, List<Double> replicated, List<Double> single) {
    double rep = median(replicated);
    double one = median(single);
    table.add(
        Measurement.of(
            "H4",
            LATENCY_MEASURE,
            LATENCY_TARGET,
            String.format("p50 %.1f ms vs %.1f ms (%+.1f ms)", rep, one, rep - one),
            rep - one <= 20,
            String.format(
                "webhook → the one host's Assignment, %d samples each, same repository and %,d agents",
                replicated.size(), s.agents())));
  }

  static String probeYaml(int version) {
    return "app: "
        + PROBE_APP
        + "\nimage: busybox\nversion: \""
        + version
        + "\"\nhosts: ["
        + PROBE_HOST
        + "]\ncommand: [\"sleep\", \"3600\"]\n";
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  private static String format(List<Double> values) {
    return values.stream().map(v -> String.format("%.1f", v)).toList().toString() + " ms";
  }

  private static String sample(Map<String, String> refusals) {
    return refusals.entrySet().stream().limit(3).toList().toString();
  }

  private static void requireThat(boolean ok, Supplier<String> why) {
    if (!ok) throw new HarnessFailure(why.get());
  }
}
