package ogp.bench.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.bench.repo.FleetRepository;
import ogp.bench.report.Measurement;
import ogp.bench.report.ResultTable;
import ogp.bench.server.OgpServer;
import ogp.bench.server.ServerLaunch;

/**
 * Row 9 on the local Docker engine: {@code docker run -d} of busybox (warm image) timed 20 times,
 * against 20 deploys through OGP, each a commit adding one app for a real {@link HostAgent},
 * announced by webhook to a real {@code ogp server} process, timed from the commit to Docker's own
 * "start" event of that container ({@code docker events}, nanosecond daemon timestamps).
 *
 * <p>Every container carries the label {@code ogp.bench=<run id>} and is removed at the end, also
 * when the run fails.
 */
public final class DockerScenario {
  private static final String IMAGE = "busybox";
  private static final String TAG = "1.36";
  private static final int DEPLOYS = 20;

  private final ServerLaunch launch;
  private final Path workDir;
  private final PrintStream out;
  private final String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);

  public DockerScenario(ServerLaunch launch, Path workDir, PrintStream out) {
    this.launch = launch;
    this.workDir = workDir;
    this.out = out;
  }

  public void run(ResultTable table) throws Exception {
    try {
      List<Double> dockerRun = new ArrayList<>();
      for (int i = 0; i < DEPLOYS; i++) {
        long s = System.nanoTime();
        exec(
            "docker",
            "run",
            "-d",
            "--label",
            "ogp.bench=" + runId,
            IMAGE + ":" + TAG,
            "sleep",
            "3600");
        dockerRun.add((System.nanoTime() - s) / 1e6);
      }
      removeContainers();
      double dockerP50 = median(dockerRun);
      out.printf("docker run -d x%d: p50 %.0f ms%n", DEPLOYS, dockerP50);
      List<Double> ogp = deployThroughOgp();
      double ogpP50 = median(ogp);
      out.printf(
          "commit -> container started through OGP x%d: p50 %.0f ms (max %.0f)%n",
          DEPLOYS, ogpP50, Collections.max(ogp));
      table.add(
          Measurement.of(
              "9",
              "commit → container running on local Docker (real agent, warm image)",
              "≤ docker run + 500 ms, p50 of 20",
              String.format(
                  "%.0f ms vs docker run %.0f ms (+%.0f ms)",
                  ogpP50, dockerP50, ogpP50 - dockerP50),
              ogpP50 <= dockerP50 + 500,
              "to Docker's start event; webhook-triggered"));
    } finally {
      removeContainers();
    }
  }

  private List<Double> deployThroughOgp() throws Exception {
    Map<String, Long> startedAtNanosEpoch = new ConcurrentHashMap<>();
    Process events =
        new ProcessBuilder(
                "docker",
                "events",
                "--filter",
                "label=ogp.bench=" + runId,
                "--filter",
                "event=start",
                "--format",
                "{{index .Actor.Attributes \"ogp.app\"}} {{.TimeNano}}")
            .redirectErrorStream(true)
            .start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  String[] parts = line.trim().split(" ");
                  if (parts.length == 2)
                    startedAtNanosEpoch.putIfAbsent(parts[0], Long.parseLong(parts[1]));
                }
              } catch (IOException | NumberFormatException ignored) {
                // the process was ended
              }
            },
            "docker-events");
    reader.setDaemon(true);
    reader.start();
    List<Double> latencies = new ArrayList<>();
    try (FleetRepository repo = FleetRepository.create(workDir.resolve("docker.git"))) {
      repo.commit("Start", Map.of("apps/app-0.yaml", app(0)));
      try (OgpServer server =
          OgpServer.start(launch, repo.url(), workDir.resolve("server"), Duration.ofHours(1), 0)) {
        server.awaitReady(Duration.ofSeconds(60));
        try (HostAgent agent =
            new HostAgent(
                new HostAgent.Settings(
                    "127.0.0.1",
                    server.agentPort(),
                    "bench-docker",
                    Map.of(),
                    server.joinToken(),
                    DockerRuntime.DEFAULT_HOST,
                    null,
                    workDir.resolve("agent"),
                    Duration.ofSeconds(10),
                    Duration.ofMillis(500),
                    Map.of("ogp.bench", runId)))) {
          awaitStarted(startedAtNanosEpoch, "bench-app-0", Duration.ofSeconds(60));
          for (int i = 1; i <= DEPLOYS; i++) {
            long commitAt = epochNanos();
            String sha =
                repo.commit("Deploy bench-app-" + i, Map.of("apps/app-" + i + ".yaml", app(i)));
            int status = server.githubPush(sha, runId + "-" + i);
            if (status != 202) throw new HarnessFailure("webhook answered " + status);
            long started =
                awaitStarted(startedAtNanosEpoch, "bench-app-" + i, Duration.ofSeconds(30));
            latencies.add((started - commitAt) / 1e6);
          }
        }
      }
    } finally {
      events.destroy();
      events.waitFor(5, TimeUnit.SECONDS);
    }
    return latencies;
  }

  private static String app(int i) {
    return "app: bench-app-"
        + i
        + "\nimage: "
        + IMAGE
        + "\nversion: \""
        + TAG
        + "\"\nhosts: [bench-docker]\n"
        + "command: [\"sleep\", \"3600\"]\n";
  }

  private static long awaitStarted(Map<String, Long> started, String app, Duration deadline)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!started.containsKey(app)) {
      if (System.nanoTime() > end)
        throw new HarnessFailure("container of " + app + " did not start within " + deadline);
      Thread.sleep(5);
    }
    return started.get(app);
  }

  /** Wall-clock nanoseconds, comparable with the daemon's event timestamps on this machine. */
  private static long epochNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private void removeContainers() throws IOException, InterruptedException {
    String ids = exec("docker", "ps", "-aq", "--filter", "label=ogp.bench=" + runId).trim();
    if (!ids.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
      cmd.addAll(List.of(ids.split("\\s+")));
      exec(cmd.toArray(String[]::new));
    }
  }

  private static String exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
      throw new HarnessFailure(String.join(" ", cmd) + " failed: " + output);
    return output;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
