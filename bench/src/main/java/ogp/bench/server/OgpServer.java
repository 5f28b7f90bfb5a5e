package ogp.bench.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real {@code ogp server} in its own process, bound to 127.0.0.1, and the ways the harness looks
 * at it: its /proc numbers, its heap after a forced GC (jcmd GC.run, then /metrics), its log, its
 * HTTP API and a signed GitHub push webhook.
 *
 * <p>Policy: the process never outlives the harness. {@link #close()} sends SIGTERM, waits, then
 * kills; {@link ExitCleanup} kills it if the harness dies first.
 */
public final class OgpServer implements AutoCloseable {
  private static final String WEBHOOK_SECRET = "bench-webhook-secret";

  private final Process process;
  private final Path dataDir;
  private final Path log;
  private final int httpPort;
  private final int agentPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ExitCleanup.Registration killOnExit;
  private final long startedNanos;

  private OgpServer(
      Process process, Path dataDir, Path log, int httpPort, int agentPort, long startedNanos) {
    this.process = process;
    this.dataDir = dataDir;
    this.log = log;
    this.httpPort = httpPort;
    this.agentPort = agentPort;
    this.startedNanos = startedNanos;
    this.killOnExit =
        ExitCleanup.register(
            "ogp server " + process.pid(),
            () -> {
              process.destroyForcibly();
              try {
                process.waitFor(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  /**
   * Starts {@code ogp server} following {@code repoUrl} with the given poll interval.
   *
   * @param agentPort the agent port, 0 for a free one (a restart passes the previous one)
   */
  public static OgpServer start(
      ServerLaunch launch, String repoUrl, Path dataDir, Duration poll, int agentPort)
      throws IOException {
    return start(launch, repoUrl, dataDir, poll, 0, agentPort, (http, agents) -> List.of());
  }

  /**
   * Where one replica of {@code ogp server --etcd} is and how it takes part in the election.
   *
   * @param memberId {@code --member-id}
   * @param etcdEndpoints {@code --etcd}, comma-separated client URLs
   * @param leaderLease {@code --leader-lease}
   */
  public record ReplicaFlags(String memberId, String etcdEndpoints, Duration leaderLease) {}

  /**
   * Starts one replica of {@code ogp server --etcd}: like {@link #start} plus the cluster flags,
   * advertising its own loopback HTTP URL and agent address.
   *
   * @param httpPort the HTTP port, 0 for a free one (a restart passes the previous one)
   * @param agentPort the agent port, 0 for a free one (a restart passes the previous one)
   */
  public static OgpServer startReplica(
      ServerLaunch launch,
      String repoUrl,
      Path dataDir,
      Duration poll,
      int httpPort,
      int agentPort,
      ReplicaFlags replica)
      throws IOException {
    return start(
        launch,
        repoUrl,
        dataDir,
        poll,
        httpPort,
        agentPort,
        (http, agents) ->
            List.of(
                "--etcd",
                replica.etcdEndpoints(),
                "--member-id",
                replica.memberId(),
                "--advertise-url",
                "http://127.0.0.1:" + http,
                "--advertise-agent-address",
                "127.0.0.1:" + agents,
                "--leader-lease",
                replica.leaderLease().toMillis() + "ms"));
  }

  private static OgpServer start(
      ServerLaunch launch,
      String repoUrl,
      Path dataDir,
      Duration poll,
      int httpPort,
      int agentPort,
      java.util.function.BiFunction<Integer, Integer, List<String>> extraArgs)
      throws IOException {
    Files.createDirectories(dataDir);
    Path secret = Files.writeString(dataDir.resolve("bench-webhook-secret"), WEBHOOK_SECRET + "\n");
    int http = httpPort == 0 ? FreePort.loopback() : httpPort;
    int agents = agentPort == 0 ? FreePort.loopback() : agentPort;
    List<String> cmd = new ArrayList<>();
    // 10,000 agents need 10,000 sockets in this process: raise the soft limit as far as allowed.
    cmd.add("bash");
    cmd.add("-c");
    cmd.add("ulimit -n $(ulimit -Hn) 2>/dev/null; exec \"$@\"");
    cmd.add("ogp-server");
    cmd.addAll(launch.javaCommand());
    cmd.addAll(
        List.of(
            "server",
            "--repo",
            repoUrl,
            "--branch",
            "main",
            "--poll",
            poll.toMillis() + "ms",
            "--bind",
            "127.0.0.1",
            "--http-port",
            Integer.toString(http),
            "--agent-port",
            Integer.toString(agents),
            "--data-dir",
            dataDir.toString(),
            "--webhook-secret-file",
            secret.toString()));
    cmd.addAll(extraArgs.apply(http, agents));
    Path log = dataDir.resolve("server-" + System.currentTimeMillis() + ".log");
    long started = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new OgpServer(p, dataDir, log, http, agents, started);
  }

  /**
   * Waits until /readyz answers 200 (a valid revision is applied); returns the time since start.
   */
  public Duration awaitReady(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive())
        throw new IllegalStateException(
            "ogp server exited with " + process.exitValue() + "; log: " + tail());
      try {
        if (get("/readyz").statusCode() == 200)
          return Duration.ofNanos(System.nanoTime() - startedNanos);
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("ogp server not ready within " + deadline + "; log: " + tail());
  }

  public long pid() {
    return process.pid();
  }

  public int agentPort() {
    return agentPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public long startedNanos() {
    return startedNanos;
  }

  /** The join token the server generated in its data dir, as an operator copies it. */
  public String joinToken() throws IOException {
    return Files.readString(dataDir.resolve("join-token")).strip();
  }

  public ProcessSample sample() {
    return ProcessSample.of(pid());
  }

  /** Heap in use right after a full GC (jcmd GC.run, then the heap pools of /metrics). */
  public long heapAfterGcBytes() throws IOException, InterruptedException {
    Process gc =
        new ProcessBuilder("jcmd", Long.toString(pid()), "GC.run")
            .redirectErrorStream(true)
            .start();
    gc.getInputStream().readAllBytes();
    if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0)
      throw new IllegalStateException("jcmd GC.run failed");
    String metrics = get("/metrics").body();
    long used = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return used;
  }

  /**
   * Posts a GitHub push of {@code sha} to main, signed with the server's webhook secret; returns
   * the status.
   */
  public int githubPush(String sha, String delivery) throws IOException, InterruptedException {
    String body =
        """
        {"ref": "refs/heads/main", "before": "%s", "after": "%s",
         "repository": {"full_name": "bench/fleet", "clone_url": "file:///bench", "html_url": "file:///bench"},
         "pusher": {"name": "bench"}}
        """
            .formatted("0".repeat(40), sha);
    HttpRequest request =
        HttpRequest.newBuilder(uri("/webhooks/github"))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", "sha256=" + hmac(body))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** GET with the admin token of this server's data dir, if it wrote one. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(path, adminToken().orElse(null));
  }

  /**
   * GET with {@code bearer} (null for none): replicas share one token store, but only the replica
   * that seeded it has the admin token in its data dir.
   */
  public HttpResponse<String> get(String path, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The admin token the server generated in its data dir, if it did. */
  public java.util.Optional<String> adminToken() throws IOException {
    Path admin = dataDir.resolve("admin-token");
    return Files.exists(admin)
        ? java.util.Optional.of(Files.readString(admin).strip())
        : java.util.Optional.empty();
  }

  /** Lines of the server log containing {@code text}. */
  public long logLinesContaining(String text) throws IOException {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains(text)).count();
    }
  }

  public Path log() {
    return log;
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  private static String hmac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, up to 20 s for a clean stop, then SIGKILL. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    killOnExit.close();
  }

  /**
   * Sends SIGTERM and returns at once (a graceful stop the caller times); {@link #close()} waits.
   */
  public void terminate() {
    process.destroy();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The agent address this server listens on, as agents dial it ({@code 127.0.0.1:port}). */
  public String agentAddress() {
    return "127.0.0.1:" + agentPort;
  }

  /** Ends the process at once, like a crash or a kill -9 (for the restart scenario). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    close();
  }
}
