package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import ogp.agent.HostAgent;
import ogp.agent.replicas.ServerAddress;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.OgpLabels;
import ogp.cluster.EtcdTestCluster;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Base of the fault tests of replicated servers (docs/ha.md, "Faults"): a real three-member etcd,
 * {@code ogp server --etcd} replicas as their own JVMs ({@link ReplicaProcess}), a fleet of three
 * hosts ({@link #HOSTS}: three agents in this JVM on the real engine, each scoped to its own
 * containers, each listing every replica), one app placed on all three from a real Git repository,
 * and a {@link FleetSampler} watching the app's containers for the whole test.
 */
abstract class ReplicaFaultTest extends FaultTest {
  static final List<String> HOSTS = List.of("r1", "r2", "r3");

  /** Serves HTTP on 8080 (the health check passes) and exits at once on SIGTERM. */
  static final String SERVES =
      "[\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/index.html; httpd -f -p 8080 -h /www &"
          + " trap 'kill $!; exit 0' TERM; wait\"]";

  protected EtcdTestCluster etcd;
  protected TestRepo repo;
  protected String image;

  /** The admin and join tokens of the replica whose tokens became the cluster's. */
  protected String admin;

  private String joinToken;

  private final Map<String, HostAgent> agents = new ConcurrentHashMap<>();
  private final Map<String, HostAgent.Settings> agentSettings = new HashMap<>();
  private final List<ReplicaProcess> replicas = new ArrayList<>();
  protected FleetSampler fleet;

  /**
   * A three-member etcd, images v1 to v3 of the app and a repository with the app as {@code v1Yaml}
   * makes it (called once the image is known).
   */
  protected void setUp(Supplier<String> v1Yaml) {
    etcd = closeAfterTest(EtcdTestCluster.startNew(3));
    image = localImage("v1");
    localImage("v2");
    localImage("v3");
    repo = closeAfterTest(TestRepo.create(tmp.resolve("repo")));
    repo.commit("Place " + app, Map.of(appFile(), v1Yaml.get()));
  }

  /**
   * Starts the replicas at once on {@link #etcd} and returns them leader first, once the others see
   * it lead. Whichever replica's tokens reached etcd first are the cluster's: {@link #admin} and
   * the agents' join token are that replica's.
   */
  protected List<ReplicaProcess> startReplicas(Duration lease, String... ids) throws Exception {
    return startReplicas(lease, id -> etcd.flag(), ids);
  }

  /** As {@link #startReplicas(Duration, String...)}, each replica given its own {@code --etcd}. */
  protected List<ReplicaProcess> startReplicas(
      Duration lease, Function<String, String> etcdFlagOf, String... ids) throws Exception {
    List<ReplicaProcess> started = new ArrayList<>();
    for (String id : ids) {
      ReplicaProcess replica =
          closeAfterTest(ReplicaProcess.launch(tmp, id, etcdFlagOf.apply(id), repo.path(), lease));
      replicas.add(replica);
      started.add(replica);
    }
    for (ReplicaProcess replica : started) replica.awaitAnswering();
    ReplicaProcess leader = awaitCommanding(CONVERGE, started.toArray(ReplicaProcess[]::new));
    ReplicaProcess tokensOwner =
        await("the replica whose tokens are the cluster's")
            .atMost(CONVERGE)
            .until(
                () ->
                    started.stream()
                        .filter(r -> !r.adminToken().isEmpty())
                        .filter(
                            r ->
                                leader
                                        .api(r.adminToken())
                                        .send("GET", "/api/v1/cluster", null)
                                        .statusCode()
                                    == 200)
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    admin = tokensOwner.adminToken();
    joinToken = Files.readString(tokensOwner.joinTokenFile()).strip();
    for (ReplicaProcess other : started) {
      if (other == leader) continue;
      await(other.id + " sees " + leader.id + " lead")
          .atMost(CONVERGE)
          .until(() -> leader.id.equals(other.leaderSeen(admin)));
    }
    List<ReplicaProcess> leaderFirst = new ArrayList<>(List.of(leader));
    started.stream().filter(r -> r != leader).forEach(leaderFirst::add);
    return List.copyOf(leaderFirst);
  }

  /**
   * The replicas' logs are kept in {@code target/fault-logs/<test>/} (the temporary directory goes
   * with the test), so a failure in CI can be read.
   */
  @AfterEach
  void keepTheReplicasLogs(TestInfo test) throws IOException {
    Path dir =
        Path.of(
            "target",
            "fault-logs",
            getClass().getSimpleName()
                + "-"
                + test.getTestMethod().map(m -> m.getName()).orElse("test"));
    Files.createDirectories(dir);
    for (ReplicaProcess replica : replicas) {
      try {
        Files.writeString(dir.resolve(replica.id + ".log"), replica.output());
      } catch (java.io.UncheckedIOException gone) {
        System.err.println("the log of replica " + replica.id + " is gone: " + gone.getMessage());
      }
    }
  }

  /**
   * Starts the agents of {@code hosts}, each dialling {@code replicas} in that order with the
   * cluster's join token, re-converging every second.
   */
  protected void startAgents(List<String> hosts, List<ReplicaProcess> replicas) {
    List<ServerAddress> servers = replicas.stream().map(ReplicaProcess::agentAddress).toList();
    for (String host : hosts) {
      HostAgent.Settings settings =
          new HostAgent.Settings(
                  servers.get(0).host(),
                  servers.get(0).port(),
                  host,
                  Map.of(),
                  joinToken,
                  DockerRuntime.DEFAULT_HOST,
                  null,
                  tmp.resolve("agent-" + host),
                  Duration.ofSeconds(1),
                  Duration.ofMillis(300),
                  Map.of(TEST_LABEL, testId, OgpLabels.SCOPE_HOST, host))
              .withServers(servers);
      agentSettings.put(host, settings);
      agents.put(host, new HostAgent(settings));
    }
  }

  /** Stops the agent of {@code host} (its containers stay, as when its machine loses the link). */
  protected void stopAgent(String host) {
    HostAgent agent = agents.remove(host);
    if (agent != null) agent.close();
  }

  /** Starts the agent of {@code host} again with the same settings and data dir. */
  protected void restartAgent(String host) {
    stopAgent(host);
    agents.put(host, new HostAgent(agentSettings.get(host)));
  }

  @AfterEach
  void stopTheAgents() {
    List.copyOf(agents.keySet()).forEach(this::stopAgent);
  }

  /** Starts sampling the app's containers on {@link #HOSTS} until the test ends. */
  protected FleetSampler sampleFleet() {
    fleet = closeAfterTest(new FleetSampler(HOSTS, this::containers));
    return fleet;
  }

  // --- the app -------------------------------------------------------------------------------

  /** The app at {@code version} on {@link #HOSTS}, with more YAML (health, update) appended. */
  protected String fleetYaml(String version, String command, String more) {
    return """
        app: %s
        image: %s
        version: "%s"
        hosts: [%s]
        command: %s
        """
            .formatted(app, image, version, String.join(", ", HOSTS), command)
        + more;
  }

  /** The app at {@code version}, stopping at once, on every host at once. */
  protected String plainYaml(String version) {
    return fleetYaml(version, QUICK_STOP, "");
  }

  // --- the fleet ------------------------------------------------------------------------------

  /**
   * Waits until every host runs exactly one container of the app, of {@code version} made for
   * {@code revision}, and the API of {@code api} shows the app Synced; returns host to container.
   */
  protected Map<String, Container> awaitFleetOn(Api api, String version, String revision) {
    AtomicReference<Map<String, Container>> found = new AtomicReference<>();
    await("every host runs " + version)
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Map<String, Container> byHost = runningByHost();
              assertTrue(
                  byHost.size() == HOSTS.size()
                      && byHost.values().stream()
                          .allMatch(
                              c ->
                                  version.equals(c.getLabels().get(OgpLabels.VERSION))
                                      && revision.equals(c.getLabels().get(OgpLabels.REVISION))),
                  () -> "every host runs " + version + " of " + revision + ": " + describe());
              found.set(byHost);
            });
    awaitAppStatus(api, "/sync", "Synced", "Synced on " + version + ":");
    return found.get();
  }

  /** Host to its one container of the app, for the hosts that have exactly one, running. */
  protected Map<String, Container> runningByHost() {
    Map<String, List<Container>> all = new TreeMap<>();
    for (Container c : containers())
      all.computeIfAbsent(c.getLabels().get(OgpLabels.SCOPE_HOST), h -> new ArrayList<>()).add(c);
    Map<String, Container> one = new TreeMap<>();
    all.forEach(
        (host, list) -> {
          if (list.size() == 1 && "running".equals(list.get(0).getState()))
            one.put(host, list.get(0));
        });
    return one;
  }

  /** Host to container id. */
  protected static Map<String, String> ids(Map<String, Container> byHost) {
    Map<String, String> ids = new TreeMap<>();
    byHost.forEach((host, c) -> ids.put(host, c.getId()));
    return ids;
  }

  @Override
  protected String describe() {
    return containers().stream()
        .map(
            c ->
                c.getLabels().get(OgpLabels.SCOPE_HOST)
                    + ":"
                    + c.getLabels().get(OgpLabels.VERSION)
                    + "/"
                    + c.getState()
                    + "/"
                    + c.getId().substring(0, 12))
        .sorted()
        .toList()
        .toString();
  }

  // --- the replicas ---------------------------------------------------------------------------

  /** Waits until one of {@code replicas} commands and returns it. */
  protected ReplicaProcess awaitCommanding(Duration within, ReplicaProcess... replicas) {
    AtomicReference<ReplicaProcess> found = new AtomicReference<>();
    await("one of " + Arrays.stream(replicas).map(r -> r.id).toList() + " commands")
        .atMost(within)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              Optional<ReplicaProcess> leader =
                  Arrays.stream(replicas).filter(ReplicaProcess::commanding).findFirst();
              leader.ifPresent(found::set);
              return leader.isPresent();
            });
    return found.get();
  }

  /** The hosts as {@code GET /api/v1/hosts} of {@code api} shows them, by host id. */
  protected static Map<String, JsonNode> hosts(Api api) {
    Map<String, JsonNode> byId = new TreeMap<>();
    for (JsonNode h : api.tryGet("/api/v1/hosts")) byId.put(h.path("host").asText(), h);
    return byId;
  }

  /** Waits until every host of {@link #HOSTS} is connected to the server of {@code api}. */
  protected void awaitAllConnected(Api api) {
    await("every host connected to " + api.base())
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertEquals(
                    HOSTS.stream().map(h -> "connected").toList(),
                    HOSTS.stream().map(api::hostStatus).toList(),
                    () -> hosts(api).toString()));
  }

  /**
   * One line per fault like {@link #report(String, long, long)}, with more measures after the
   * containers lost.
   */
  static void report(String fault, long detectMs, long convergeMs, String more) {
    System.out.printf(
        "FAULT %s: time to detect %d ms, time to converge %d ms, containers lost 0, %s%n",
        fault, detectMs, convergeMs, more);
  }
}
