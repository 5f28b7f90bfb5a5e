package ogp.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import ogp.agent.converge.Converger;
import ogp.agent.identity.CertificateRenewal;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.agent.link.AssignmentHandler;
import ogp.agent.link.HostKey;
import ogp.agent.link.ServerLink;
import ogp.agent.probe.HealthMonitor;
import ogp.agent.replicas.LeaderEpoch;
import ogp.agent.replicas.ServerAddress;
import ogp.agent.runtime.ContainerRuntime;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RegistryCredentials;
import ogp.protocol.LoopGuard;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.StatusReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one Docker host: keeps a link to the server, converges the host to the latest
 * assignment, re-converges periodically (repairing drift such as a container killed or removed by
 * hand) and reports its observed state whenever it changes.
 *
 * <p>Static stability: the agent acts only on an assignment the server sent (or the last one it
 * kept on disk). Losing the server changes nothing; containers stay as last assigned.
 *
 * <p>Newest wins: assignments that arrive while the worker is busy are not queued up; only the
 * newest of them is converged (each is complete, so the older ones no longer matter).
 *
 * <p>Threads: all Docker work runs on one worker thread, in order; the link's threads only hand
 * assignments over.
 *
 * <p>Construction: {@link #HostAgent(Settings)} is the composition root that builds the real parts
 * (Docker, health probes, the data dir, the link, the worker thread); a package-private constructor
 * takes the parts instead, so the agent's policy can be tested without Docker or a server.
 */
public final class HostAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostAgent.class);

  /**
   * @param registryAuthFile Docker config.json-style registry logins, or null
   * @param resyncInterval how often the last assignment is converged again without any message
   * @param statusInterval how often the observed state is checked for changes to report
   * @param containerScope labels put on, and required of, every container this agent manages; empty
   *     in production (tests use it to keep parallel runs on one engine apart)
   * @param tls TLS on the link (server verified against a CA, optional client certificate); empty:
   *     plain TCP
   * @param joinTokenFile the server's join token file, read again before every connection attempt
   *     so a rotated token is picked up without a restart; null: {@code joinToken} as given
   * @param enrolled the identity {@code ogp agent enroll} left in the data dir: the link is mutual
   *     TLS with it (made anew for every connection) and renews its certificate; empty: {@code tls}
   * @param renewalCheck how often renewal of an enrolled certificate is checked (a minute)
   * @param servers every replica the agent may dial ({@code --server a:7070,b:7070}), in order;
   *     empty or null: {@code serverHost:serverPort} alone. The first is {@code
   *     serverHost:serverPort}
   */
  public record Settings(
      String serverHost,
      int serverPort,
      String hostId,
      Map<String, String> labels,
      String joinToken,
      URI dockerHost,
      Path registryAuthFile,
      Path dataDir,
      Duration resyncInterval,
      Duration statusInterval,
      Map<String, String> containerScope,
      Optional<AgentTls> tls,
      Path joinTokenFile,
      Optional<EnrolledIdentity> enrolled,
      Duration renewalCheck,
      List<ServerAddress> servers) {

    public Settings {
      tls = Objects.requireNonNullElse(tls, Optional.empty());
      enrolled = Objects.requireNonNullElse(enrolled, Optional.empty());
      renewalCheck = Objects.requireNonNullElse(renewalCheck, Duration.ofMinutes(1));
      servers =
          servers == null || servers.isEmpty()
              ? List.of(new ServerAddress(serverHost, serverPort))
              : List.copyOf(servers);
    }

    /** One server. */
    public Settings(
        String serverHost,
        int serverPort,
        String hostId,
        Map<String, String> labels,
        String joinToken,
        URI dockerHost,
        Path registryAuthFile,
        Path dataDir,
        Duration resyncInterval,
        Duration statusInterval,
        Map<String, String> containerScope,
        Optional<AgentTls> tls,
        Path joinTokenFile,
        Optional<EnrolledIdentity> enrolled,
        Duration renewalCheck) {
      this(
          serverHost,
          serverPort,
          hostId,
          labels,
          joinToken,
          dockerHost,
          registryAuthFile,
          dataDir,
          resyncInterval,
          statusInterval,
          containerScope,
          tls,
          joinTokenFile,
          enrolled,
          renewalCheck,
          null);
    }

    /** Plain TCP. */
    public Settings(
        String serverHost,
        int serverPort,
        String hostId,
        Map<String, String> labels,
        String joinToken,
        URI dockerHost,
        Path registryAuthFile,
        Path dataDir,
        Duration resyncInterval,
        Duration statusInterval,
        Map<String, String> containerScope) {
      this(
          serverHost,
          serverPort,
          hostId,
          labels,
          joinToken,
          dockerHost,
          registryAuthFile,
          dataDir,
          resyncInterval,
          statusInterval,
          containerScope,
          Optional.empty(),
          null,
          Optional.empty(),
          null,
          null);
    }

    /**
     * The same settings with every replica the agent may dial, in order (at least one); the first
     * becomes {@code serverHost:serverPort}.
     */
    public Settings withServers(List<ServerAddress> servers) {
      if (servers.isEmpty()) throw new IllegalArgumentException("at least one server");
      return new Settings(
          servers.get(0).host(),
          servers.get(0).port(),
          hostId,
          labels,
          joinToken,
          dockerHost,
          registryAuthFile,
          dataDir,
          resyncInterval,
          statusInterval,
          containerScope,
          tls,
          joinTokenFile,
          enrolled,
          renewalCheck,
          servers);
    }

    /** The same settings with TLS on the link. */
    public Settings withTls(AgentTls tls) {
      return with(Optional.of(tls), joinTokenFile, enrolled, renewalCheck);
    }

    /**
     * The same settings with the enrolled identity of the data dir: mutual TLS with its certificate
     * and automatic renewal, checked every {@code renewalCheck}.
     */
    public Settings withEnrolledIdentity(EnrolledIdentity identity, Duration renewalCheck) {
      return with(
          Optional.of(identity.agentTls()), joinTokenFile, Optional.of(identity), renewalCheck);
    }

    /**
     * The same settings with the join token read from {@code file} before every connection attempt.
     */
    public Settings withJoinTokenFile(Path file) {
      return with(tls, file, enrolled, renewalCheck);
    }

    private Settings with(
        Optional<AgentTls> tls,
        Path joinTokenFile,
        Optional<EnrolledIdentity> enrolled,
        Duration renewalCheck) {
      return new Settings(
          serverHost,
          serverPort,
          hostId,
          labels,
          joinToken,
          dockerHost,
          registryAuthFile,
          dataDir,
          resyncInterval,
          statusInterval,
          containerScope,
          tls,
          joinTokenFile,
          enrolled,
          renewalCheck,
          servers);
    }

    /** Never shows the join token: settings get logged and end up in error messages. */
    @Override
    public String toString() {
      return "Settings[server="
          + ServerAddress.format(servers)
          + ", hostId="
          + hostId
          + ", labels="
          + labels
          + ", joinToken="
          + (joinToken == null || joinToken.isEmpty() ? "(none)" : "***")
          + ", dockerHost="
          + dockerHost
          + ", registryAuthFile="
          + registryAuthFile
          + ", dataDir="
          + dataDir
          + ", resyncInterval="
          + resyncInterval
          + ", statusInterval="
          + statusInterval
          + ", containerScope="
          + containerScope
          + ", tls="
          + tls
          + ", joinTokenFile="
          + joinTokenFile
          + ", enrolled="
          + enrolled.map(e -> e.dir().toString()).orElse("no")
          + "]";
    }

    /** Production defaults: re-converge every 10 s, look for changes every 2 s, no scope. */
    public static Settings of(
        String serverHost,
        int serverPort,
        String hostId,
        Map<String, String> labels,
        String joinToken,
        URI dockerHost,
        Path registryAuthFile,
        Path dataDir) {
      return new Settings(
          serverHost,
          serverPort,
          hostId,
          labels,
          joinToken,
          dockerHost,
          registryAuthFile,
          dataDir,
          Duration.ofSeconds(10),
          Duration.ofSeconds(2),
          Map.of());
    }
  }

  private final ContainerRuntime runtime;
  private final HealthMonitor health;
  private final Converger converger;
  private final AssignmentStore store;
  private final ScheduledExecutorService worker;
  private final ServerLink link;
  private volatile Assignment assignment; // latest from the server or disk; null before any
  private StatusReport lastSent; // worker thread only

  /** The composition root: connects to Docker and starts the link to the server. */
  public HostAgent(Settings s) {
    this(s, DockerRuntime.connect(s.dockerHost(), logins(s), s.containerScope()));
  }

  private HostAgent(Settings s, DockerRuntime runtime) {
    this(s, runtime, Clock.systemUTC());
  }

  /** {@code clock}: the agent's one clock, for health probes and the link's heartbeats. */
  private HostAgent(Settings s, DockerRuntime runtime, Clock clock) {
    this(
        runtime,
        HealthMonitor.start(runtime, clock),
        new AssignmentStore(s.dataDir()),
        handler -> startLink(s, runtime, clock, handler),
        newWorker(),
        s.resyncInterval(),
        s.statusInterval());
  }

  /**
   * The agent over given parts, which it owns from now on: {@link #close()} closes them all. Loads
   * the kept assignment, makes the link with this agent's assignment handler, then schedules a
   * resync at once and every {@code resyncInterval}, and a change check every {@code
   * statusInterval}, all on {@code worker}.
   *
   * @param health probes for the containers the converger watches (it holds the clock)
   * @param connect makes the link to the server, given where its assignments go
   * @param worker runs all Docker work in order; must run one task at a time
   */
  HostAgent(
      ContainerRuntime runtime,
      HealthMonitor health,
      AssignmentStore store,
      Function<AssignmentHandler, ServerLink> connect,
      ScheduledExecutorService worker,
      Duration resyncInterval,
      Duration statusInterval) {
    this.runtime = runtime;
    this.health = health;
    this.converger = new Converger(runtime, health);
    this.store = store;
    this.worker = worker;
    this.assignment = store.load().orElse(null);
    this.link = connect.apply(this::assigned);
    if (assignment != null) {
      log.info("keeping revision {} until the server answers", assignment.getRevision());
    }
    worker.execute(this::resync);
    worker.scheduleWithFixedDelay(
        this::resync, resyncInterval.toMillis(), resyncInterval.toMillis(), TimeUnit.MILLISECONDS);
    worker.scheduleWithFixedDelay(
        this::reportIfChanged,
        statusInterval.toMillis(),
        statusInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static RegistryCredentials logins(Settings s) {
    return s.registryAuthFile() == null
        ? RegistryCredentials.none()
        : RegistryCredentials.read(s.registryAuthFile());
  }

  private static ScheduledExecutorService newWorker() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "ogp-agent-converge");
          t.setDaemon(true);
          return t;
        });
  }

  /** The host key in the data dir, made on the first start. */
  private static HostKey hostKey(Settings s) {
    try {
      return HostKey.loadOrCreate(s.dataDir());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot use the host key: " + e.getMessage(), e);
    }
  }

  private static ServerLink startLink(
      Settings s, ContainerRuntime runtime, Clock clock, AssignmentHandler handler) {
    String dockerVersion = runtime.engine().version();
    AgentLink.Builder linkBuilder =
        AgentLink.builder(
                s.servers(),
                new AgentIdentity(s.hostId(), s.labels(), version(), dockerVersion, hostKey(s)),
                handler)
            .joinToken(s.joinToken() == null ? "" : s.joinToken())
            .leaderEpoch(LeaderEpoch.in(s.dataDir()))
            .clock(clock);
    if (s.enrolled().isPresent()) {
      // Read before every connection: a renewed certificate is used from the next one.
      AgentTls enrolledTls = s.enrolled().get().agentTls();
      linkBuilder
          .tlsPerConnection(() -> TlsContexts.agent(enrolledTls))
          .renewal(new CertificateRenewal(s.enrolled().get(), s.hostId()), s.renewalCheck());
    } else {
      linkBuilder.tls(s.tls().map(TlsContexts::agent).orElse(null));
    }
    if (s.joinTokenFile() != null) linkBuilder.joinTokenFile(s.joinTokenFile());
    AgentLink link = linkBuilder.start();
    log.info(
        "agent {} on Docker {} (API {}), server {}",
        s.hostId(),
        dockerVersion,
        runtime.engine().negotiatedApiVersion(),
        ServerAddress.format(s.servers()));
    return link;
  }

  /** Called by the link on its own thread: hand over to the worker, newest first. */
  private void assigned(Assignment next) {
    assignment = next;
    worker.execute(
        () -> {
          if (assignment != next) return; // a newer one is queued behind this task
          store.save(next);
          send(converger.converge(next));
        });
  }

  /** Converges the latest assignment again; before any, only reports what is there (adopted). */
  private void resync() {
    try {
      Assignment current = assignment;
      send(current == null ? converger.report() : converger.converge(current));
    } catch (RuntimeException e) {
      log.error("re-converging failed; retrying at the next resync", e);
    } catch (Throwable t) {
      LoopGuard.survived("re-converging (retried at the next resync)", t);
    }
  }

  private void reportIfChanged() {
    try {
      send(converger.report());
    } catch (RuntimeException e) {
      log.warn("observing containers failed: {}", e.getMessage());
    } catch (Throwable t) {
      LoopGuard.survived("observing containers", t);
    }
  }

  private void send(StatusReport report) {
    if (report.equals(lastSent)) return;
    lastSent = report;
    link.report(report);
  }

  public boolean connected() {
    return link.isConnected();
  }

  public Optional<Assignment> assignment() {
    return Optional.ofNullable(assignment);
  }

  static String version() {
    String v = HostAgent.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public void close() {
    link.close();
    worker.shutdownNow();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    health.close();
    runtime.close();
  }
}
