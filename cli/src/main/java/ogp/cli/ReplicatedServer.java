package ogp.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import ogp.cluster.ClusterUnavailable;
import ogp.cluster.EtcdRevertClaims;
import ogp.cluster.EtcdSettings;
import ogp.cluster.Leader;
import ogp.cluster.Leadership;
import ogp.cluster.Member;
import ogp.cluster.SharedFiles;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import ogp.protocol.tls.TlsContexts;
import ogp.reconciler.agents.ParkedAgentCounts;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.autorollback.RevertClaims;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventReason;
import ogp.webhook.WebhookSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of {@code ogp server --etcd} (docs/ha.md): the composition of a leadership on etcd,
 * the shared state files, a {@link Standby} while another replica leads, and a {@link
 * ServerProcess} while this one does.
 *
 * <p>Start: the data dir's lock is taken for the replica's whole life; etcd is joined; the shared
 * files are pulled before the secure default makes a CA (so a new replica takes the cluster's),
 * this replica's first-start files are made and seeded, and when seeding replaced the local CA the
 * replica's server certificate is issued again from the cluster's. Then it stands by, and runs the
 * server's code once on scratch ({@link ServerWarmUp}) so that a takeover starts warm.
 *
 * <p>Roles, changed on one thread ({@code ogp-replica}) in the order the leadership reports them,
 * level-triggered (each turn reads whether the leadership may command now):
 *
 * <ul>
 *   <li>Elected: the standby hands its ports over ({@link Standby#handOver()}: its HTTP front
 *       closes and its agent port stops accepting, but keeps the agents it holds until this
 *       replica's own agent port answers), every shared file is pulled (when etcd does not answer
 *       the rest of the standby closes, and the replica stands by again and tries again in a
 *       second), the files are led, and a {@code ServerProcess} starts fenced by this term's {@link
 *       ReplicaFence} (commands and change pushes), with the cluster's revert claims; a {@code
 *       LeaderElected} event is recorded. The agents held by the old standby port are redirected to
 *       the new server as soon as it listens, and that port closes at the next turn that finds it
 *       holding nobody (or when the server did not start). Its agent server knows no host yet, so
 *       each agent gets the whole lost grace to reconnect from the takeover on: a failover never
 *       calls a host lost.
 *   <li>Deposed: the server is closed at once (its fence stopped commanding already), a WARN says
 *       why, and the replica stands by again.
 * </ul>
 *
 * <p>{@link #close()} (SIGTERM): commands stop, the replica resigns (a standby leads at once), then
 * the server closes — in that order — and etcd is left.
 */
final class ReplicatedServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicatedServer.class);

  /**
   * Every this often the role is checked even without a report of the leadership: a role change
   * that failed (etcd silent, a port still held) is tried again, and nothing missed stays missed.
   */
  static final Duration TURN = Duration.ofSeconds(1);

  /** Joins etcd as {@code self}: {@code EtcdLeadership::start} in production. */
  interface LeadershipFactory {
    Leadership start(EtcdSettings etcd, Member self, Clock clock);
  }

  /**
   * What a replica is made of.
   *
   * @param replica etcd and this replica's advertised identity
   * @param dataDir the replica's own data dir
   * @param security the security flags, resolved once the shared CA has been pulled
   * @param bind the listen address
   * @param server the server's settings for the resolved security
   */
  record Settings(
      ClusterOptions.Replica replica,
      Path dataDir,
      ServerSecurity.Flags security,
      String bind,
      Function<ServerSecurity, ServerProcess.Settings> server) {
    Settings {
      Objects.requireNonNull(replica, "replica");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(security, "security");
      Objects.requireNonNull(bind, "bind");
      Objects.requireNonNull(server, "server");
    }
  }

  private final Member self;
  private final Leadership leadership;
  private final SharedFiles shared;
  private final ServerProcess.Settings serverSettings;
  private final StandbyFront.Settings frontSettings;
  private final ServerSecurity security;
  private final ClusterView view;
  private final ClusterMeters meters;
  private final MetricsRoutes standbyMetrics;
  private final RevertClaims revertClaims;
  private final ParkedAgentCounts parkedAgents = new ParkedAgentCounts();
  private final DataDirLock lock;
  private final Clock clock;
  private final ScheduledExecutorService worker;
  private final AtomicBoolean turnPending = new AtomicBoolean();
  private final AtomicLong fencedBefore = new AtomicLong();
  private final AtomicLong leaderChanges = new AtomicLong();
  private final AtomicReference<Optional<Leader>> lastLeader =
      new AtomicReference<>(Optional.empty());
  private volatile String deposedBecause = "the leadership ended";
  // Deposals reported so far, and how many there were when the running server started.
  private final AtomicLong deposals = new AtomicLong();
  private long deposalsAtStart;
  private volatile boolean closing;

  // Parses of the desired state, made ahead while standing by and reused by each term's server.
  private final ParseCache parseCache = new ParseCache();

  // Written by the worker only; volatile for the meters and the banner.
  private volatile WarmStandby follower;
  private volatile Standby standby;
  // An elected replica's former standby, holding agents until its server answers them.
  private volatile Standby handingOver;
  private volatile ServerProcess server;
  private volatile ReplicaFence fence;

  private ReplicatedServer(
      Member self,
      Leadership leadership,
      SharedFiles shared,
      ServerSecurity security,
      ServerProcess.Settings serverSettings,
      boolean explicitCertificate,
      DataDirLock lock,
      Clock clock)
      throws IOException {
    this.self = self;
    this.leadership = leadership;
    this.shared = shared;
    this.security = security;
    this.serverSettings = serverSettings;
    this.lock = lock;
    this.clock = clock;
    this.view = new ClusterView(leadership);
    this.revertClaims = new EtcdRevertClaims(leadership.store(), self.id(), clock);
    this.meters =
        new ClusterMeters(
            () -> fence != null && fence.mayCommand(),
            leaderChanges::get,
            this::fencedCommands,
            parkedAgents);
    this.standbyMetrics =
        new MetricsRoutes(
            serverSettings.metricsTokenFile() == null
                ? Optional.empty()
                : Optional.of(
                    SecretToken.read(serverSettings.metricsTokenFile(), "--metrics-token-file")));
    meters.bindTo(standbyMetrics.registry());
    this.frontSettings =
        new StandbyFront.Settings(
            serverSettings.bindAddress(),
            serverSettings.httpPort(),
            serverSettings.https(),
            serverSettings.reachedOverHttps(),
            WebhookSettings.DEFAULT_MAX_BODY_BYTES,
            leaderCa(security, explicitCertificate).map(ServerTrust::trusting));
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-replica");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Joins the cluster and stands by until elected (see the class's policy).
   *
   * @throws CommandFailure when etcd cannot be reached or the data dir is held by another process
   */
  static ReplicatedServer start(Settings s, LeadershipFactory leaderships, Clock clock)
      throws IOException {
    Path dataDir = s.dataDir();
    DataDirLock lock = DataDirLock.acquire(dataDir);
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      Leadership leadership = join(s.replica(), leaderships, clock);
      started.push(leadership);
      SharedFiles shared =
          SharedFiles.open(
              leadership.store(), SharedFiles.serverFiles(dataDir, s.security().pkiDir()), clock);
      started.push(shared);
      // The cluster's CA and tokens first: the secure default makes its own only when etcd has
      // none.
      cluster(() -> shared.pullAll(), s.replica());
      SecureRandom random = new SecureRandom();
      ServerSecurity security = ServerSecurity.resolve(s.security(), s.bind(), clock, random);
      ServerProcess.Settings settings = s.server().apply(security);
      // This replica's first-start files, offered to the cluster; whoever offered first wins.
      TokenStore.bootstrap(dataDir, clock, random);
      if (settings.webhookSecretFile() == null)
        SecretToken.loadOrCreate(dataDir.resolve(ServerProcess.WEBHOOK_SECRET_FILE), random);
      Set<String> changed = cluster(shared::seed, s.replica());
      if (changed.contains(SharedFiles.CA_CERTIFICATE) || changed.contains(SharedFiles.CA_KEY)) {
        log.info(
            "another replica's agent CA is the cluster's: re-issuing this replica's server"
                + " certificate from it");
        security = ServerSecurity.resolve(s.security(), s.bind(), clock, random);
        settings = s.server().apply(security);
      }
      ReplicatedServer replica =
          new ReplicatedServer(
              s.replica().self(),
              leadership,
              shared,
              security,
              settings,
              s.security().explicit().tlsCert() != null
                  || s.security().explicit().httpsCert() != null,
              lock,
              clock);
      started.push(replica.worker::shutdownNow);
      leadership.addListener(replica.listener());
      replica.worker.scheduleWithFixedDelay(
          LoopGuard.guarded("asking for this replica's turn", replica::wake),
          TURN.toMillis(),
          TURN.toMillis(),
          TimeUnit.MILLISECONDS);
      replica.wake();
      // A standby runs the server's code once, so a takeover starts warm. On its own thread: a
      // takeover or a stop never waits for it.
      Thread warmUp =
          new Thread(LoopGuard.guarded("warming up the server", replica::warmUp), "ogp-warm-up");
      warmUp.setDaemon(true);
      warmUp.setPriority(Thread.MIN_PRIORITY);
      warmUp.start();
      return replica;
    } catch (IOException | RuntimeException | Error e) {
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
      }
      lock.close();
      throw e;
    }
  }

  private static Leadership join(
      ClusterOptions.Replica replica, LeadershipFactory leaderships, Clock clock) {
    try {
      return cluster(() -> leaderships.start(replica.etcd(), replica.self(), clock), replica);
    } catch (IllegalArgumentException e) { // a TLS or password file etcd's client cannot use
      throw new CommandFailure(e.getMessage(), 2);
    }
  }

  /** The call's value, or one sentence naming etcd when it does not answer. */
  private static <T> T cluster(java.util.function.Supplier<T> call, ClusterOptions.Replica r) {
    try {
      return call.get();
    } catch (ClusterUnavailable e) {
      throw new CommandFailure(
          "etcd at " + r.etcd().endpoints() + " does not answer: " + e.getMessage());
    }
  }

  private static void cluster(Runnable call, ClusterOptions.Replica r) {
    cluster(
        () -> {
          call.run();
          return null;
        },
        r);
  }

  /**
   * The fleet CA the leader's HTTPS certificate comes from, when HTTPS serves a certificate of the
   * server's own CA (not one the operator gave with {@code --tls-cert} or {@code --https-cert}):
   * the webhook relay verifies the leader with it; otherwise with the JDK's CAs.
   */
  private static Optional<Path> leaderCa(ServerSecurity security, boolean explicitCertificate) {
    if (security.https().isEmpty() || security.ca().isEmpty() || explicitCertificate)
      return Optional.empty();
    return Optional.of(security.ca().get().certificateFile());
  }

  // --- the leadership's reports ---------------------------------------------------------------

  private Leadership.Listener listener() {
    return new Leadership.Listener() {
      @Override
      public void elected(long epoch) {
        log.info("{} was elected at epoch {}", self.id(), epoch);
        wake();
      }

      @Override
      public void deposed(String reason) {
        deposedBecause = reason;
        deposals.incrementAndGet();
        wake();
      }

      @Override
      public void leaderSeen(Optional<Leader> leader) {
        Optional<Leader> before = lastLeader.getAndSet(leader);
        if (leader.isPresent() && !leader.equals(before)) {
          leaderChanges.incrementAndGet();
          log.info(
              "the leader is {} at epoch {} ({})",
              LogText.quote(leader.get().member().id()),
              leader.get().epoch(),
              leader.get().member().httpUrl());
        } else if (leader.isEmpty() && before.isPresent()) {
          log.info("no leader is known now");
        }
      }
    };
  }

  /** Asks the worker for a turn, unless one is pending already (a bounded queue of one). */
  private void wake() {
    if (closing || !turnPending.compareAndSet(false, true)) return;
    try {
      worker.execute(LoopGuard.guarded("changing this replica's role", this::turn));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      turnPending.set(false); // closed meanwhile
    }
  }

  // --- the roles, on the worker ---------------------------------------------------------------

  /**
   * {@link ServerWarmUp}, unless this replica leads or serves already: a replica elected at once
   * starts its real server now, and a throwaway one beside it would only slow that start down.
   */
  private void warmUp() {
    if (closing || server != null || leadership.leading()) return;
    ServerWarmUp.run();
  }

  /**
   * One turn: a server whose term ended goes; a replica that leads and may command serves; one that
   * serves nothing stands by. A leader fenced for a moment (a late keep-alive) keeps its server:
   * the fence drops its commands until the lease is fresh again or the term ends.
   */
  private void turn() {
    turnPending.set(false);
    if (closing) return;
    // The hand-over is done once the old standby port holds nobody (its agents went to the server).
    if (handingOver != null && handingOver.holdsNoAgent()) closeHandingOver();
    if (server != null && (!leadership.leading() || fence.epoch() != leadership.epoch()))
      stopServing();
    if (server == null && leadership.leading() && leadership.mayCommand()) serve();
    if (server == null && standby == null) standBy();
  }

  /** Elected: the server replaces the standby, or the standby comes back. */
  private boolean serve() {
    long epoch = leadership.epoch();
    long deposedBefore = deposals.get();
    handOverStandby();
    try {
      shared.pullAll(); // the state the last leader left, before the server reads it
    } catch (ClusterUnavailable e) {
      log.warn(
          "{} leads at epoch {} but cannot pull the shared state ({}); not starting, standing by",
          self.id(),
          epoch,
          e.getMessage());
      closeHandingOver();
      return false;
    }
    // Uploads from here on (fenced at this epoch); the files were just pulled, so none is due.
    shared.lead();
    ReplicaFence term = new ReplicaFence(leadership, epoch);
    fence = term;
    // The mirror kept at the leader's revision goes to the server (which closes it).
    WarmStandby warm = follower;
    follower = null;
    try {
      server =
          new ServerProcess(
              serverSettings.withReplication(
                  new ServerProcess.Settings.Replication(
                      term,
                      revertClaims,
                      view::status,
                      meters,
                      parseCache,
                      warm == null ? null : warm.handOver())));
    } catch (IOException | RuntimeException e) {
      fence = null;
      log.error(
          "{} leads at epoch {} but its server did not start: {}", self.id(), epoch, e.toString());
      closeHandingOver();
      shared.follow();
      return false;
    } catch (InterruptedException e) {
      fence = null;
      Thread.currentThread().interrupt();
      closeHandingOver();
      shared.follow();
      return false;
    }
    deposalsAtStart = deposedBefore;
    server
        .events()
        .record(
            Event.of(clock, EventReason.LEADER_ELECTED, self.id() + " leads at epoch " + epoch));
    log.info(
        "{} leads at epoch {}: serving {} and agents on {}",
        self.id(),
        epoch,
        self.httpUrl(),
        self.agentAddress());
    return true;
  }

  /** Deposed (or re-elected at another epoch): the server goes at once. */
  private void stopServing() {
    fence.stop();
    log.warn(
        "{} no longer leads at epoch {} ({}); closing its server and standing by",
        self.id(),
        fence.epoch(),
        LogText.quote(deposedBecause));
    closeServer();
    closeHandingOver();
    shared.follow();
  }

  private boolean standBy() {
    try {
      standby =
          Standby.start(
              frontSettings,
              serverSettings.agentPort(),
              serverSettings.agentTls().map(TlsContexts::server).orElse(null),
              serverSettings.dataDir(),
              view,
              self.id(),
              standbyMetrics,
              parkedAgents,
              clock);
    } catch (IOException | RuntimeException e) {
      log.error("{} cannot stand by: {}", self.id(), e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    shared.follow();
    followTheLeadersRevision();
    log.info(
        "{} stands by: HTTP on {} redirects to the leader, the agent port on {} sends agents there",
        self.id(),
        standby.httpPort(),
        standby.agentPort());
    return true;
  }

  /**
   * Keeps this replica's mirror and parses at the leader's applied revision while it stands by
   * ({@link WarmStandby}); without it (the mirror cannot be opened) a takeover is only slower.
   */
  private void followTheLeadersRevision() {
    if (follower != null) return;
    try {
      follower =
          WarmStandby.start(
              serverSettings.remote(),
              serverSettings.dataDir(),
              serverSettings.gitTimeout(),
              serverSettings.dataDir().resolve(ServerProcess.APPLIED_REVISION_FILE),
              parseCache);
    } catch (RuntimeException e) {
      log.warn(
          "{} cannot keep its Git mirror at the leader's revision ({}); a takeover will fetch and"
              + " parse the whole desired state",
          self.id(),
          e.toString());
    }
  }

  private void closeServer() {
    ServerProcess s = server;
    if (s == null) return;
    fencedBefore.addAndGet(s.agents().fencedCommands());
    server = null;
    fence = null;
    s.close();
  }

  private void closeStandby() {
    Standby s = standby;
    if (s == null) return;
    standby = null;
    s.close();
  }

  /**
   * Elected: the standby frees its ports for the server and keeps the agents it holds, which wait
   * for this replica's own agent port (see {@link Standby#handOver()}).
   */
  private void handOverStandby() {
    Standby s = standby;
    if (s == null) return;
    standby = null;
    closeHandingOver(); // none is left from an earlier term (closed when it ended); never two
    handingOver = s;
    s.handOver();
  }

  /** The old standby's last part goes: what it still holds is closed (the agents try again). */
  private void closeHandingOver() {
    Standby s = handingOver;
    if (s == null) return;
    handingOver = null;
    s.close();
  }

  private long fencedCommands() {
    ServerProcess s = server;
    return fencedBefore.get() + (s == null ? 0 : s.agents().fencedCommands());
  }

  // --- for the command and tests ------------------------------------------------------------

  Member self() {
    return self;
  }

  ServerSecurity security() {
    return security;
  }

  ServerProcess.Settings serverSettings() {
    return serverSettings;
  }

  /** The server while this replica leads. */
  Optional<ServerProcess> server() {
    return Optional.ofNullable(server);
  }

  /**
   * Graceful stop: commands stop, the replica resigns so that a standby leads at once, then the
   * server closes, then etcd is left.
   */
  @Override
  public void close() {
    closing = true;
    try {
      worker
          .submit(
              () -> {
                ReplicaFence term = fence;
                if (term != null) term.stop(); // 1. not one more command
                try {
                  leadership.resign(); // 2. a standby leads at once
                } catch (RuntimeException e) {
                  log.warn("could not resign ({}); the lease expires instead", e.toString());
                }
                closeServer(); // 3. the server
                closeHandingOver();
                closeStandby();
                WarmStandby f = follower;
                follower = null;
                if (f != null) f.close();
              })
          .get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("stopping the replica: {}", e.toString());
    } finally {
      worker.shutdownNow();
      shared.close();
      leadership.close();
      lock.close();
    }
  }
}
