package ogp.bench.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Replicas of {@code ogp server --etcd} as real processes, each with its own data dir under one
 * directory and its own loopback ports, all following one repository and one etcd cluster.
 *
 * <p>Policy: a replica stopped or killed by the harness can be started again on the same ports and
 * data dir ({@link #restart}), like an operator bringing a machine back; {@link #close()} stops
 * every replica still running (SIGTERM, then SIGKILL), and {@link ExitCleanup} kills them if the
 * harness exits first.
 */
public final class ReplicaSet implements AutoCloseable {
  private final ServerLaunch launch;
  private final String repoUrl;
  private final Path dir;
  private final Duration poll;
  private final String etcdEndpoints;
  private final Duration leaderLease;
  private final List<OgpServer> replicas = new ArrayList<>();

  private ReplicaSet(
      ServerLaunch launch,
      String repoUrl,
      Path dir,
      Duration poll,
      String etcdEndpoints,
      Duration leaderLease) {
    this.launch = launch;
    this.repoUrl = repoUrl;
    this.dir = dir;
    this.poll = poll;
    this.etcdEndpoints = etcdEndpoints;
    this.leaderLease = leaderLease;
  }

  /**
   * Starts {@code count} replicas the way docs/ha.md tells operators to start a new cluster: the
   * first alone, until it is ready (it leads, so its token hand-over files are the cluster's), then
   * the others together.
   */
  public static ReplicaSet start(
      ServerLaunch launch,
      String repoUrl,
      Path dir,
      Duration poll,
      String etcdEndpoints,
      Duration leaderLease,
      int count,
      Duration readyDeadline)
      throws IOException, InterruptedException {
    ReplicaSet set = new ReplicaSet(launch, repoUrl, dir, poll, etcdEndpoints, leaderLease);
    try {
      set.replicas.add(set.startOne(0, 0, 0));
      set.replicas.get(0).awaitReady(readyDeadline);
      for (int i = 1; i < count; i++) set.replicas.add(set.startOne(i, 0, 0));
      set.awaitReady(readyDeadline);
    } catch (IOException | InterruptedException | RuntimeException e) {
      set.close();
      throw e;
    }
    return set;
  }

  private OgpServer startOne(int index, int httpPort, int agentPort) throws IOException {
    return OgpServer.startReplica(
        launch,
        repoUrl,
        dir.resolve(memberId(index)),
        poll,
        httpPort,
        agentPort,
        new OgpServer.ReplicaFlags(memberId(index), etcdEndpoints, leaderLease));
  }

  /** {@code --member-id} of replica {@code index}. */
  public static String memberId(int index) {
    return "replica-" + index;
  }

  /** The join token agents present: the first replica's hand-over file (see {@link #start}). */
  public String joinToken() throws IOException {
    return replicas.get(0).joinToken();
  }

  /** The admin token of the first replica's hand-over file, valid on every replica. */
  public String adminToken() throws IOException {
    return replicas.get(0).adminToken().orElseThrow(() -> new IOException("no admin-token"));
  }

  /** Waits until every running replica answers /readyz. */
  public void awaitReady(Duration deadline) throws InterruptedException {
    for (OgpServer r : replicas) if (r.alive()) r.awaitReady(deadline);
  }

  public OgpServer get(int index) {
    return replicas.get(index);
  }

  public int size() {
    return replicas.size();
  }

  /** Every replica's agent address, in index order: the simulated agents' server list. */
  public List<String> agentAddresses() {
    return replicas.stream().map(OgpServer::agentAddress).toList();
  }

  /** The index of the replica listening for agents on {@code agentAddress}. */
  public Optional<Integer> indexOf(String agentAddress) {
    for (int i = 0; i < replicas.size(); i++) {
      if (replicas.get(i).agentAddress().equals(agentAddress)) return Optional.of(i);
    }
    return Optional.empty();
  }

  /**
   * Starts replica {@code index} again on its ports and data dir (after {@link OgpServer#close()}
   * or {@link OgpServer#kill()}); does not wait for it.
   */
  public OgpServer restart(int index) throws IOException {
    OgpServer old = replicas.get(index);
    if (old.alive()) throw new IllegalStateException(memberId(index) + " is still running");
    OgpServer fresh = startOne(index, old.httpPort(), old.agentPort());
    replicas.set(index, fresh);
    return fresh;
  }

  @Override
  public void close() {
    for (OgpServer r : replicas) r.terminate(); // all at once: none waits for another's stop
    for (OgpServer r : replicas) r.close();
  }
}
