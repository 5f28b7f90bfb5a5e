package ogp.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real etcd cluster for tests: {@code /usr/bin/etcd} members as child processes on free loopback
 * ports, each with its own name, client and peer port and temporary data directory, raft tuned for
 * speed ({@code --heartbeat-interval 100 --election-timeout 1000}). {@link #startNew(int)} returns
 * once every member answers {@code /health}. Members can be killed (SIGKILL) and started again on
 * their data; {@link #close()} kills all and deletes the data. A JVM shutdown hook kills whatever a
 * test forgot.
 *
 * <p>With {@link Tls} the client URLs are https with the given server certificate, and client
 * certificates signed by the CA are required (etcd's {@code --client-cert-auth}); peers stay plain.
 */
public final class EtcdTestCluster implements AutoCloseable {
  public static final Path ETCD = Paths.get("/usr/bin/etcd");
  static final Duration HEALTHY_WITHIN = Duration.ofSeconds(30);

  /** etcd's server side of TLS: the CA clients' certificates must chain to, and its own. */
  public record Tls(Path caFile, Path certFile, Path keyFile) {}

  private final Path root;
  private final Optional<Tls> tls;
  private final List<String> names = new ArrayList<>();
  private final List<Integer> clientPorts = new ArrayList<>();
  private final List<Integer> peerPorts = new ArrayList<>();
  private final List<Integer> metricsPorts = new ArrayList<>();
  private final Process[] processes;
  private final String token = "ogp-test-" + UUID.randomUUID();
  private final Thread hook = new Thread(this::killAll, "etcd-test-cluster-cleanup");
  private final HttpClient http;

  /**
   * Skips the calling test when {@code /usr/bin/etcd} is missing, and fails it instead on CI
   * ({@code CI=true}), where a missing etcd means a broken machine, not a developer's laptop.
   */
  public static void requireEtcd() {
    if (Files.isExecutable(ETCD)) return;
    String message = ETCD + " is missing: install Debian's etcd-server (.ci/services does)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))
        || "true".equalsIgnoreCase(System.getProperty("ogp.ci"))) Assertions.fail(message);
    Assumptions.abort(message);
  }

  /** Starts {@code members} plain members and waits until all are healthy. */
  public static EtcdTestCluster startNew(int members) {
    return startNew(members, Optional.empty());
  }

  /** Starts {@code members} members with TLS on their client URLs. */
  public static EtcdTestCluster startNew(int members, Optional<Tls> tls) {
    requireEtcd();
    EtcdTestCluster cluster = new EtcdTestCluster(members, tls);
    try {
      cluster.startAll();
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private EtcdTestCluster(int members, Optional<Tls> tls) {
    if (members < 1) throw new IllegalArgumentException("members: " + members);
    this.tls = tls;
    this.processes = new Process[members];
    try {
      this.root = Files.createTempDirectory("ogp-etcd-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Integer> ports = freePorts(3 * members);
    for (int i = 0; i < members; i++) {
      names.add("m" + i);
      clientPorts.add(ports.get(3 * i));
      peerPorts.add(ports.get(3 * i + 1));
      metricsPorts.add(ports.get(3 * i + 2));
    }
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The client URLs of all members, in member order. */
  public List<URI> endpoints() {
    return IntStream.range(0, size()).mapToObj(this::endpoint).toList();
  }

  /** The client URL of one member. */
  public URI endpoint(int member) {
    return URI.create(scheme() + "://127.0.0.1:" + clientPorts.get(member));
  }

  /** The endpoints as {@code --etcd} takes them. */
  public String flag() {
    return endpoints().stream().map(URI::toString).collect(Collectors.joining(","));
  }

  public int size() {
    return processes.length;
  }

  /** Whether the member's process runs. */
  public boolean running(int member) {
    return processes[member] != null && processes[member].isAlive();
  }

  /** SIGKILLs one member and waits for it to be gone. */
  public void kill(int member) {
    Process process = processes[member];
    processes[member] = null;
    if (process == null) return;
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS))
        throw new IllegalStateException("etcd member " + member + " did not die");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts one member again on its data directory and waits until it runs (it answers {@code
   * /metrics}; {@code /health} needs a quorum, which this member alone may not make).
   */
  public void start(int member) {
    launch(member);
    await("etcd member " + member + " serving")
        .atMost(HEALTHY_WITHIN)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> body(member, "/metrics").isPresent());
  }

  /** SIGKILLs every member (all of etcd down). */
  public void stopAll() {
    for (int i = 0; i < size(); i++) kill(i);
  }

  /** Starts every member that is not running and waits until all are healthy. */
  public void startAll() {
    for (int i = 0; i < size(); i++) if (!running(i)) launch(i);
    awaitHealthy();
  }

  /**
   * Waits until every running member answers {@code /health} with {@code true} (on its plain
   * metrics URL, so that this works with client TLS too).
   */
  public void awaitHealthy() {
    for (int i = 0; i < size(); i++) {
      int member = i;
      if (!running(member)) continue;
      await("etcd member " + member + " healthy")
          .atMost(HEALTHY_WITHIN)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> healthy(member));
    }
  }

  /**
   * The member that leads etcd's raft (its {@code etcd_server_is_leader} metric is 1); empty while
   * none does.
   */
  public OptionalInt raftLeader() {
    return IntStream.range(0, size())
        .filter(this::running)
        .filter(
            member ->
                body(member, "/metrics")
                    .map(m -> m.lines().anyMatch("etcd_server_is_leader 1"::equals))
                    .orElse(false))
        .findFirst();
  }

  /** Kills all members and deletes their data. */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs now anyway
    }
    deleteTree(root);
  }

  private void killAll() {
    for (int i = 0; i < size(); i++) {
      try {
        kill(i);
      } catch (RuntimeException e) {
        // go on killing the others
      }
    }
  }

  private void launch(int member) {
    if (running(member)) throw new IllegalStateException("etcd member " + member + " runs already");
    Path data = root.resolve(names.get(member));
    String clientUrl = endpoint(member).toString();
    String peerUrl = "http://127.0.0.1:" + peerPorts.get(member);
    String initialCluster =
        IntStream.range(0, size())
            .mapToObj(i -> names.get(i) + "=http://127.0.0.1:" + peerPorts.get(i))
            .collect(Collectors.joining(","));
    List<String> command =
        new ArrayList<>(
            List.of(
                ETCD.toString(),
                "--name",
                names.get(member),
                "--data-dir",
                data.toString(),
                "--listen-client-urls",
                clientUrl,
                "--advertise-client-urls",
                clientUrl,
                "--listen-peer-urls",
                peerUrl,
                "--initial-advertise-peer-urls",
                peerUrl,
                "--initial-cluster",
                initialCluster,
                "--initial-cluster-state",
                "new",
                "--listen-metrics-urls",
                "http://127.0.0.1:" + metricsPorts.get(member),
                "--initial-cluster-token",
                token,
                "--heartbeat-interval",
                "100",
                "--election-timeout",
                "1000",
                "--logger",
                "zap",
                "--log-outputs",
                "stderr"));
    tls.ifPresent(
        t ->
            command.addAll(
                List.of(
                    "--cert-file",
                    t.certFile().toString(),
                    "--key-file",
                    t.keyFile().toString(),
                    "--trusted-ca-file",
                    t.caFile().toString(),
                    "--client-cert-auth")));
    try {
      Path log = root.resolve(names.get(member) + ".log");
      processes[member] =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + ETCD, e);
    }
  }

  private boolean healthy(int member) {
    return body(member, "/health").map(b -> b.contains("\"health\":\"true\"")).orElse(false);
  }

  private Optional<String> body(int member, String path) {
    if (!running(member))
      throw new IllegalStateException("etcd member " + member + " exited; see " + root);
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + metricsPorts.get(member) + path))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private String scheme() {
    return tls.isPresent() ? "https" : "http";
  }

  /** A loopback port nothing listens on (right now). */
  public static int freePort() {
    return freePorts(1).get(0);
  }

  private static List<Integer> freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++)
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // a port we only probed
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is not worth failing a test for
    }
  }
}
