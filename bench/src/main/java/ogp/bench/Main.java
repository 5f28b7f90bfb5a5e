package ogp.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import ogp.bench.report.ResultTable;
import ogp.bench.scenario.DockerScenario;
import ogp.bench.scenario.FleetScenario;
import ogp.bench.scenario.GitScenario;
import ogp.bench.scenario.HaScenario;
import ogp.bench.scenario.HarnessFailure;
import ogp.bench.scenario.PlanScenario;
import ogp.bench.server.EtcdLaunch;
import ogp.bench.server.ExitCleanup;
import ogp.bench.server.ServerLaunch;

/**
 * {@code java -jar bench/target/ogp-bench.jar all|fleet,docker,git,plan,ha [--agents N]} (one
 * scenario or a comma-separated list; or {@code jmh [JMH options]}): runs the scenarios of issue 8
 * ({@code all}) and the replicas' scenario of issue 18 ({@code ha}, only when named), and prints
 * the table of measured values against targets. Exits 1 when a scenario could not measure (agents
 * did not connect, converge or return), 0 otherwise, also when a target is missed: a missed target
 * is a result, not a harness failure.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (IllegalArgumentException e) { // a bad command line: one line, no stack trace
      System.err.println("ogp-bench: " + e.getMessage());
      System.exit(2);
    }
  }

  private static final java.util.Set<String> SCENARIOS =
      java.util.Set.of("fleet", "docker", "git", "plan", "ha");

  /** What "all" runs: the issue-8 scenarios (ha, issue 18, needs etcd and runs on its own). */
  private static final java.util.Set<String> ALL =
      java.util.Set.of("fleet", "docker", "git", "plan");

  private static void run(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    if (what.equals("jmh")) {
      // JMH's own runner: benchmark regex and options as documented by JMH, e.g. "jmh Planner -f
      // 1".
      org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    // "all" or a comma-separated list of scenarios, e.g. "git,plan".
    java.util.Set<String> scenarios = what.equals("all") ? ALL : java.util.Set.of(what.split(","));
    for (String name : scenarios) {
      if (!SCENARIOS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown scenario '"
                + name
                + "': use all, jmh or a list of fleet, docker, git, plan, ha");
      }
    }
    int agents = 10_000;
    // For profiling a run afterwards: the servers' logs and data dirs stay (processes never do).
    boolean keepWork = false;
    Path ogpJar = Path.of("cli/target/ogp.jar");
    Path serverOptions = Path.of("cli/server-jvm.options");
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--agents" -> agents = positive("--agents", i + 1 < args.length ? args[++i] : "");
        case "--ogp-jar" -> ogpJar = Path.of(args[++i]);
        case "--server-jvm-options" -> serverOptions = Path.of(args[++i]);
        case "--keep-work" -> keepWork = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("ogp-bench-");
    // Registered first, so it runs last: the children writing in it are killed before.
    boolean keep = keepWork;
    ExitCleanup.Registration deleteWork =
        ExitCleanup.register(
            "the work directory " + work,
            () -> {
              if (!keep) deleteTree(work);
            });
    int n = agents;
    ResultTable table = new ResultTable();
    List<String> failures = new ArrayList<>();
    if (scenarios.contains("fleet")) {
      if (!Files.isRegularFile(ogpJar))
        throw new IllegalStateException(ogpJar + " is missing: build it first");
      ServerLaunch launch = ServerLaunch.jar(ogpJar, serverJvm(serverOptions, "-Xmx1g"));
      run(
          "fleet",
          failures,
          () -> {
            System.out.println("server: " + String.join(" ", launch.javaCommand()) + " server ...");
            new FleetScenario(
                    new FleetScenario.Settings(
                        launch, work.resolve("fleet"), n, Duration.ofSeconds(30), 3, true),
                    System.out)
                .run(table);
          });
    }
    if (scenarios.contains("docker")) {
      ServerLaunch launch = ServerLaunch.jar(ogpJar, serverJvm(serverOptions, "-Xmx512m"));
      run(
          "docker",
          failures,
          () -> new DockerScenario(launch, work.resolve("docker"), System.out).run(table));
    }
    if (scenarios.contains("ha")) {
      if (!Files.isRegularFile(ogpJar))
        throw new IllegalStateException(ogpJar + " is missing: build it first");
      ServerLaunch launch = ServerLaunch.jar(ogpJar, serverJvm(serverOptions, "-Xmx1g"));
      run(
          "ha",
          failures,
          () ->
              new HaScenario(
                      new HaScenario.Settings(
                          launch,
                          EtcdLaunch.DEFAULT_BINARY,
                          work.resolve("ha"),
                          n,
                          Duration.ofSeconds(10),
                          Duration.ofSeconds(30),
                          // A 20 ms difference under 5 samples' spread (80-540 ms) is noise.
                          21),
                      System.out)
                  .run(table));
    }
    if (scenarios.contains("git")) {
      run("git", failures, () -> new GitScenario(work.resolve("git"), System.out, 30).run(table));
    }
    if (scenarios.contains("plan")) {
      run("plan", failures, () -> new PlanScenario(System.out).run(table));
    }
    // The generated repositories and server data dirs are hundreds of MB per run: leave nothing
    // behind.
    if (keepWork) {
      deleteWork.close();
      System.out.println("kept the work directory (server logs, data dirs): " + work);
    } else {
      deleteTree(work);
      deleteWork.close();
    }
    System.out.println();
    System.out.println(table.markdown());
    if (!failures.isEmpty()) {
      System.out.println("HARNESS FAILURES: " + failures);
      System.exit(1);
    }
  }

  private static void deleteTree(Path dir) {
    try {
      org.eclipse.jgit.util.FileUtils.delete(
          dir.toFile(),
          org.eclipse.jgit.util.FileUtils.RECURSIVE
              | org.eclipse.jgit.util.FileUtils.IGNORE_ERRORS);
    } catch (java.io.IOException e) {
      System.err.println("ogp-bench: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        option + " needs a positive whole number, not '" + value + "'");
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  private static void run(String name, List<String> failures, Step step) {
    System.out.println("== " + name);
    try {
      step.run();
    } catch (HarnessFailure | IllegalStateException e) {
      System.out.println(name + " FAILED: " + e.getMessage());
      failures.add(name + ": " + e.getMessage());
    } catch (Exception e) {
      e.printStackTrace(System.out);
      failures.add(name + ": " + e);
    }
  }

  /**
   * The server's JVM options: those the {@code ./ogp} launcher gives {@code ogp server} (the file
   * {@code cli/server-jvm.options}, passed as {@code @file} so the JVM reads it exactly as for the
   * launcher), the heap cap, plus {@code OGP_BENCH_SERVER_JVM_OPTS} (space-separated), e.g. {@code
   * -XX:StartFlightRecording=filename=/tmp/server.jfr} to profile the server under load.
   */
  private static List<String> serverJvm(Path optionsFile, String heap) {
    if (!Files.isRegularFile(optionsFile))
      throw new IllegalArgumentException(optionsFile + " is not a file");
    List<String> options = new ArrayList<>(List.of("@" + optionsFile.toAbsolutePath(), heap));
    String extra = System.getenv("OGP_BENCH_SERVER_JVM_OPTS");
    if (extra != null && !extra.isBlank()) options.addAll(List.of(extra.trim().split("\\s+")));
    return options;
  }
}
