package ogp.bench.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd cluster for the benchmarks: {@code members} etcd processes ({@code /usr/bin/etcd},
 * Debian's {@code etcd-server}) on free loopback ports, each with its own data dir under one
 * temporary directory, started together as a new cluster and waited for until every member's {@code
 * /health} says true.
 *
 * <p>Policy: nothing outlives the harness. {@link #close()} stops every member (SIGTERM, then
 * SIGKILL after 10 s) and deletes the directory; if the harness JVM exits first, {@link
 * ExitCleanup} kills the members and deletes it. Members talk only over 127.0.0.1.
 */
public final class EtcdLaunch implements AutoCloseable {
  /** Where Debian's etcd-server package installs the server. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/etcd");

  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Path dir;
  private final List<Process> processes;
  private final List<URI> clientUrls;
  private final List<Path> logs;
  private final ExitCleanup.Registration cleanup;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private EtcdLaunch(
      Path dir,
      List<Process> processes,
      List<URI> clientUrls,
      List<Path> logs,
      ExitCleanup.Registration cleanup) {
    this.dir = dir;
    this.processes = processes;
    this.clientUrls = clientUrls;
    this.logs = logs;
    this.cleanup = cleanup;
  }

  /**
   * Starts the cluster in a new directory under {@code parent} and waits until every member is
   * healthy.
   *
   * @throws IllegalStateException when the binary is missing, a member exits, or the cluster is not
   *     healthy within {@code deadline} (everything started is stopped and deleted first)
   */
  public static EtcdLaunch start(Path binary, Path parent, int members, Duration deadline)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(binary))
      throw new IllegalStateException(
          binary + " is missing: install Debian's etcd-server (.ci/services does)");
    if (members < 1) throw new IllegalArgumentException("an etcd cluster needs a member");
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "etcd-");
    // Read by the exit hook while members are still being started.
    List<Process> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<URI> clientUrls = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    ExitCleanup.Registration cleanup =
        ExitCleanup.register("etcd in " + dir, () -> stopAndDelete(processes, dir, Duration.ZERO));
    EtcdLaunch launch = new EtcdLaunch(dir, processes, clientUrls, logs, cleanup);
    try {
      List<Integer> peerPorts = new ArrayList<>();
      StringJoiner initialCluster = new StringJoiner(",");
      for (int i = 0; i < members; i++) {
        int client = FreePort.loopback();
        int peer = FreePort.loopback();
        clientUrls.add(URI.create("http://127.0.0.1:" + client));
        peerPorts.add(peer);
        initialCluster.add(name(i) + "=http://127.0.0.1:" + peer);
      }
      String token = "ogp-bench-" + UUID.randomUUID();
      for (int i = 0; i < members; i++) {
        String peer = "http://127.0.0.1:" + peerPorts.get(i);
        String client = clientUrls.get(i).toString();
        List<String> cmd =
            List.of(
                binary.toString(),
                "--name",
                name(i),
                "--data-dir",
                dir.resolve(name(i)).toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                initialCluster.toString(),
                "--initial-cluster-state",
                "new",
                "--initial-cluster-token",
                token,
                // As docs/ha.md tells operators: hosts.json of more than about 5,000 hosts is over
                // etcd's default 1.5 MiB request limit, and without compaction every upload of it
                // stays in etcd's history.
                "--max-request-bytes",
                "8388608",
                "--auto-compaction-mode",
                "periodic",
                "--auto-compaction-retention",
                "1h",
                "--logger",
                "zap",
                "--log-outputs",
                "stderr");
        Path log = dir.resolve(name(i) + ".log");
        logs.add(log);
        processes.add(
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
      }
      launch.awaitHealthy(deadline);
      return launch;
    } catch (IOException | InterruptedException | RuntimeException e) {
      launch.close();
      throw e;
    }
  }

  private static String name(int member) {
    return "etcd-" + member;
  }

  private void awaitHealthy(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    for (int i = 0; i < processes.size(); i++) {
      while (!healthy(i)) {
        if (!processes.get(i).isAlive())
          throw new IllegalStateException(
              name(i) + " exited with " + processes.get(i).exitValue() + "; log: " + tail(i));
        if (System.nanoTime() > end)
          throw new IllegalStateException(
              name(i) + " not healthy within " + deadline + "; log: " + tail(i));
        Thread.sleep(50);
      }
    }
  }

  private boolean healthy(int member) throws InterruptedException {
    try {
      HttpResponse<String> r = get(member, "/health");
      return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"");
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The members' client URLs, in member order. */
  public List<URI> clientUrls() {
    return List.copyOf(clientUrls);
  }

  /** The value of {@code ogp server --etcd}: the client URLs, comma-separated. */
  public String endpointsFlag() {
    StringJoiner flag = new StringJoiner(",");
    clientUrls.forEach(u -> flag.add(u.toString()));
    return flag.toString();
  }

  public int size() {
    return processes.size();
  }

  /**
   * The unlabelled samples of {@code names} on the member's {@code /metrics} (Prometheus text);
   * names the member does not expose are absent from the map.
   */
  public Map<String, Double> metrics(int member, Set<String> names)
      throws IOException, InterruptedException {
    HttpResponse<String> r = get(member, "/metrics");
    if (r.statusCode() != 200)
      throw new IllegalStateException(name(member) + " /metrics answered " + r.statusCode());
    Map<String, Double> values = new HashMap<>();
    for (String line : r.body().split("\n")) {
      int space = line.indexOf(' ');
      if (line.startsWith("#") || space < 0) continue;
      String name = line.substring(0, space);
      if (names.contains(name))
        values.put(name, Double.parseDouble(line.substring(space + 1).strip()));
    }
    return values;
  }

  private HttpResponse<String> get(int member, String path)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(clientUrls.get(member).resolve(path))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private String tail(int member) {
    try {
      List<String> lines = Files.readAllLines(logs.get(member));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops every member and deletes the cluster's directory. */
  @Override
  public void close() {
    stopAndDelete(processes, dir, STOP_WAIT);
    cleanup.close();
  }

  private static void stopAndDelete(List<Process> processes, Path dir, Duration grace) {
    for (Process p : processes) p.destroy();
    for (Process p : processes) {
      try {
        if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          p.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      org.eclipse.jgit.util.FileUtils.delete(
          dir.toFile(),
          org.eclipse.jgit.util.FileUtils.RECURSIVE
              | org.eclipse.jgit.util.FileUtils.IGNORE_ERRORS);
    } catch (IOException e) {
      System.err.println("ogp-bench: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
