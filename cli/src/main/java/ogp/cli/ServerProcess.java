package ogp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import ogp.portal.PortalRoutes;
import ogp.portal.PortalSettings;
import ogp.portal.auth.UserDirectory;
import ogp.portal.auth.UsersFile;
import ogp.portal.changes.GitChanges;
import ogp.portal.events.LoggedEvents;
import ogp.portal.fleet.FleetView;
import ogp.protocol.LoopGuard;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.protocol.tls.CaHash;
import ogp.protocol.tls.ServerTls;
import ogp.protocol.tls.TlsContexts;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.agents.CommandFence;
import ogp.reconciler.agents.HostBindings;
import ogp.reconciler.agents.IdentityEvents;
import ogp.reconciler.api.ApiRoutes;
import ogp.reconciler.api.ChangeRoutes;
import ogp.reconciler.api.ClusterRoutes;
import ogp.reconciler.api.ClusterStatus;
import ogp.reconciler.api.EventRoutes;
import ogp.reconciler.api.HostRoutes;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.api.WatchRoutes;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.autorollback.AutoRollback;
import ogp.reconciler.autorollback.RevertClaims;
import ogp.reconciler.changes.Actor;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.changes.CommitListener;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.ControlLoop;
import ogp.reconciler.control.DesiredStateSource;
import ogp.reconciler.control.FleetReadModel;
import ogp.reconciler.control.Reconciler;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventLog;
import ogp.reconciler.events.EventReason;
import ogp.reconciler.events.FleetEvents;
import ogp.reconciler.metrics.ReconcilerMeters;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.watch.StatusFeed;
import ogp.reconciler.watch.WatchHub;
import ogp.reconciler.watch.WatchKind;
import ogp.reconciler.watch.WatchSettings;
import ogp.webhook.WebhookRoutes;
import ogp.webhook.WebhookSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller process: Git mirror, reconciler, agent server and the HTTP server with the API,
 * webhook receivers, metrics and the portal (users from {@code <data-dir>/users.yaml}). Agents and
 * API clients are checked against the hashed {@link TokenStore} of the data dir, which the process
 * follows while it runs. Built from {@link Settings}; {@link #close()} stops everything in reverse
 * order.
 */
final class ServerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

  /**
   * @param agentTls TLS (and with a client CA, mutual TLS) on the agent port; empty: plain TCP. The
   *     secure default of {@code ogp server} ({@link SecureByDefault}) is {@link
   *     ServerTls#enrolling} with {@code enrolment}: a Hello without a client certificate is then
   *     refused with TLS_REQUIRED
   * @param https HTTPS instead of HTTP on the HTTP port; empty: plain HTTP
   * @param gitTimeout how long one connect or read of the Git remote may wait
   * @param metricsTokenFile a file holding the bearer token {@code /metrics} requires; null: open
   * @param externalUrl where users reach the server ({@code --external-url}); with https (or with
   *     {@code https}) the portal's cookies are Secure and every response carries HSTS
   * @param forgetLostAfter how long a host stays lost before it is forgotten; zero: never
   * @param enrolment lets agents enrol and renew with the server's CA; null: nobody enrols
   * @param replication what a replica on etcd gives the server while it leads; null: a single
   *     server
   */
  record Settings(
      GitRemote remote,
      Path dataDir,
      Duration poll,
      String bindAddress,
      int httpPort,
      int agentPort,
      Duration lostGrace,
      Path webhookSecretFile,
      Optional<ServerTls> agentTls,
      Optional<HttpsConnector> https,
      Duration gitTimeout,
      Path metricsTokenFile,
      Optional<URI> externalUrl,
      Duration forgetLostAfter,
      Enrolment enrolment,
      Replication replication) {

    /**
     * How agents enrol: {@code ca} signs their certificates (the agent link's TLS must trust it for
     * client certificates, optionally: {@link ServerTls#enrolling}), valid for {@code
     * agentCertTtl}; agents dial {@code advertisedName} (a name the server certificate gives),
     * which the server records with the agent port and the CA pin for {@code ogp tokens create
     * --print-join-command}.
     */
    record Enrolment(CertificateAuthority ca, Duration agentCertTtl, String advertisedName) {}

    /**
     * What a replica on etcd ({@link ReplicatedServer}) gives its server while it leads. The
     * replica holds the data dir's lock for its whole life, so this server does not take it.
     *
     * @param fence stamps the epoch on command frames and drops them once the replica no longer
     *     leads; also asked right before each change commit is pushed
     * @param revertClaims grants each automatic revert once across the replicas
     * @param cluster what {@code GET /api/v1/cluster} answers
     * @param meters the replica's cluster meters, bound to this server's registry too
     * @param parseCache the parses the replica made while it stood by ({@link WarmStandby})
     * @param mirror the mirror the replica kept current while it stood by, which this server takes
     *     over and closes; null: the server opens the data dir's
     */
    record Replication(
        CommandFence fence,
        RevertClaims revertClaims,
        Supplier<ClusterStatus> cluster,
        ClusterMeters meters,
        ParseCache parseCache,
        GitMirror mirror) {
      Replication {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(revertClaims, "revertClaims");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(parseCache, "parseCache");
      }
    }

    /** The same settings with agent enrolment. */
    Settings withEnrolment(Enrolment enrolment) {
      return with(gitTimeout, metricsTokenFile, externalUrl, forgetLostAfter, enrolment);
    }

    /** The same settings for a replica that leads. */
    Settings withReplication(Replication replication) {
      return new Settings(
          remote,
          dataDir,
          poll,
          bindAddress,
          httpPort,
          agentPort,
          lostGrace,
          webhookSecretFile,
          agentTls,
          https,
          gitTimeout,
          metricsTokenFile,
          externalUrl,
          forgetLostAfter,
          enrolment,
          replication);
    }

    Settings {
      agentTls = Objects.requireNonNullElse(agentTls, Optional.empty());
      https = Objects.requireNonNullElse(https, Optional.empty());
      gitTimeout = Objects.requireNonNullElse(gitTimeout, GitMirror.DEFAULT_TIMEOUT);
      externalUrl = Objects.requireNonNullElse(externalUrl, Optional.empty());
      forgetLostAfter =
          Objects.requireNonNullElse(forgetLostAfter, AgentServer.DEFAULT_FORGET_LOST_AFTER);
    }

    Settings withForgetLostAfter(Duration after) {
      return with(gitTimeout, metricsTokenFile, externalUrl, after, enrolment);
    }

    Settings withExternalUrl(Optional<URI> url) {
      return with(gitTimeout, metricsTokenFile, url, forgetLostAfter, enrolment);
    }

    /**
     * Whether users reach the server over HTTPS: its own, or a TLS-terminating proxy's named by an
     * https external URL.
     */
    boolean reachedOverHttps() {
      return https.isPresent() || externalUrl.map(ExternalUrlConverter::isHttps).orElse(false);
    }

    /** With the default Git timeout. */
    Settings(
        GitRemote remote,
        Path dataDir,
        Duration poll,
        String bindAddress,
        int httpPort,
        int agentPort,
        Duration lostGrace,
        Path webhookSecretFile,
        Optional<ServerTls> agentTls,
        Optional<HttpsConnector> https) {
      this(
          remote,
          dataDir,
          poll,
          bindAddress,
          httpPort,
          agentPort,
          lostGrace,
          webhookSecretFile,
          agentTls,
          https,
          null,
          null,
          Optional.empty(),
          null,
          null,
          null);
    }

    Settings withGitTimeout(Duration timeout) {
      return with(timeout, metricsTokenFile, externalUrl, forgetLostAfter, enrolment);
    }

    Settings withMetricsTokenFile(Path file) {
      return with(gitTimeout, file, externalUrl, forgetLostAfter, enrolment);
    }

    /** A copy with the settings that have no constructor of their own. */
    private Settings with(
        Duration gitTimeout,
        Path metricsTokenFile,
        Optional<URI> externalUrl,
        Duration forgetLostAfter,
        Enrolment enrolment) {
      return new Settings(
          remote,
          dataDir,
          poll,
          bindAddress,
          httpPort,
          agentPort,
          lostGrace,
          webhookSecretFile,
          agentTls,
          https,
          gitTimeout,
          metricsTokenFile,
          externalUrl,
          forgetLostAfter,
          enrolment,
          replication);
    }

    /** Plain TCP for agents and plain HTTP. */
    Settings(
        GitRemote remote,
        Path dataDir,
        Duration poll,
        String bindAddress,
        int httpPort,
        int agentPort,
        Duration lostGrace,
        Path webhookSecretFile) {
      this(
          remote,
          dataDir,
          poll,
          bindAddress,
          httpPort,
          agentPort,
          lostGrace,
          webhookSecretFile,
          Optional.empty(),
          Optional.empty());
    }
  }

  private final GitMirror mirror;
  private final ControlLoop loop;
  private final Javalin http;
  private final PortalRoutes portal;
  private final TokenStore tokens;
  private final ScheduledExecutorService tokenRefresh;
  private final Path dataDir;
  private final Path adminTokenFile;
  private final Path joinTokenFile;
  private final Path webhookSecretFile;
  private final WatchHub watchHub;
  private final ChangeService changes;
  private final WatchRoutes watchRoutes;
  private final StatusFeed statusFeed;
  private final EventLog events;
  private final AutoRollback autoRollback;
  private final DataDirLock dataDirLock;
  private final HostBindings hostBindings;
  private final ClusterMeters clusterMeters;

  /** How a single server names itself in {@code GET /api/v1/cluster}: this machine's name. */
  private static final String SINGLE_MEMBER_ID = ClusterOptions.hostName();

  /** Events retained for GET /api/v1/events. */
  static final int EVENTS_RETAINED = 10_000;

  /** Generated in the data dir on first start when no --webhook-secret-file is given. */
  static final String WEBHOOK_SECRET_FILE = "webhook-secret";

  /**
   * The sha of the revision last applied, in the data dir: a hint that lets the first revision
   * after a restart be checked for mass removal against it (nothing else reads it).
   */
  static final String APPLIED_REVISION_FILE = "applied-revision";

  ServerProcess(Settings s) throws IOException, InterruptedException {
    this(s, WatchSettings.defaults());
  }

  ServerProcess(Settings s, WatchSettings watch) throws IOException, InterruptedException {
    long startedAt = System.nanoTime();
    SecureRandom random = new SecureRandom();
    // The one clock of the process: every component that reads the time is given it.
    Clock clock = Clock.systemUTC();
    dataDir = s.dataDir();
    // Two servers on one data dir would run two reconcilers (and, in ogp dev, two agents for one
    // host). A replica holds the lock for its whole life, standby included.
    dataDirLock = s.replication() == null ? DataDirLock.acquire(s.dataDir()) : null;
    // What has started so far, stopped in reverse if a later part fails (a port in use, say).
    java.util.Deque<AutoCloseable> started = new java.util.ArrayDeque<>();
    try {
      // Temporary files of writes a crash or a full disk interrupted (tokens, keys, secrets).
      int leftovers = OwnerOnlyFile.removeLeftovers(s.dataDir());
      if (leftovers > 0)
        log.info("removed {} leftover temporary file(s) in {}", leftovers, s.dataDir());
      adminTokenFile = s.dataDir().resolve(SecretToken.ADMIN_TOKEN_FILE);
      joinTokenFile = s.dataDir().resolve(SecretToken.JOIN_TOKEN_FILE);
      // Hashed tokens; a first start also writes join-token, admin-token and viewer-token for the
      // operator.
      tokens = TokenStore.bootstrap(s.dataDir(), clock, random);
      // The agent port checks Hellos on Netty's event loops, which must not touch the disk: they
      // use
      // the tokens in memory, and this re-reads the store (one stat) every second for them.
      tokenRefresh =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "ogp-token-store");
                t.setDaemon(true);
                return t;
              });
      tokenRefresh.scheduleWithFixedDelay(
          LoopGuard.guarded("re-reading the token store", tokens::refresh), 1, 1, TimeUnit.SECONDS);
      started.push(tokenRefresh::shutdownNow);
      mirror =
          s.replication() != null && s.replication().mirror() != null
              ? s.replication().mirror()
              : GitMirror.open(s.remote(), s.dataDir(), s.gitTimeout());
      started.push(mirror);
      long mirrorOpen = System.nanoTime();
      // Which agent identity holds each host id (hosts.json); a corrupt file stops the start.
      hostBindings = HostBindings.open(s.dataDir());
      started.push(hostBindings);
      // Enrolments, renewals and revocations become events once the event log exists (below).
      java.util.concurrent.atomic.AtomicReference<EventLog> eventLog =
          new java.util.concurrent.atomic.AtomicReference<>();
      IdentityEvents identityEvents = new RecordedIdentityEvents(eventLog::get, clock);
      loop =
          PortInUse.explained(
              "--agent-port",
              s.bindAddress(),
              s.agentPort(),
              () ->
                  ControlLoop.create(
                      clock,
                      onApplied ->
                          new DesiredStateSource(
                              mirror,
                              clock,
                              onApplied,
                              s.dataDir().resolve(APPLIED_REVISION_FILE),
                              s.replication() != null
                                  ? s.replication().parseCache()
                                  : ParseCache.none()),
                      listener ->
                          enrolment(s, AgentServer.builder(tokens.inMemory(), listener))
                              .identityEvents(identityEvents)
                              .hostBindings(hostBindings)
                              .fence(
                                  s.replication() != null
                                      ? s.replication().fence()
                                      : CommandFence.SINGLE_NODE)
                              .bind(s.bindAddress(), s.agentPort())
                              .acceptLater()
                              .lostGrace(s.lostGrace())
                              .forgetLostAfter(s.forgetLostAfter())
                              .tls(s.agentTls().map(TlsContexts::server).orElse(null))
                              .serverVersion(Main.version())
                              .clock(clock)
                              .start(),
                      s.poll(),
                      Duration.ofSeconds(30)));
      started.push(loop);
      long loopUp = System.nanoTime();
      // The loop's parts, read from it (fields would only repeat it).
      Reconciler reconciler = loop.reconciler();
      AgentServer agents = loop.agents();
      FleetReadModel fleet = loop.fleet();
      ApiRoutes api =
          new ApiRoutes(fleet, reconciler::requestRefresh, reconciler::confirmHeld, tokens);
      // One writer for every change of this server, in arrival order; each landed push asks the
      // fetch
      // worker to apply it at once (the request thread does not wait for the fetch). History is
      // read
      // locally at the applied revision.
      changes =
          new ChangeService(mirror, reconciler::requestRefresh)
              .readingHistoryAt(() -> fleet.source().applied().map(AppliedRevision::revision));
      // A replica that lost its leadership pushes no change (asked right before each push).
      if (s.replication() != null) changes.fencedBy(s.replication().fence()::mayCommand);
      changes.serialized();
      started.push(changes);
      ChangeRoutes changeRoutes = new ChangeRoutes(changes);
      MetricsRoutes metrics =
          new MetricsRoutes(
              s.metricsTokenFile() == null
                  ? Optional.empty()
                  : Optional.of(SecretToken.read(s.metricsTokenFile(), "--metrics-token-file")));
      ObjectMapper json =
          new ObjectMapper()
              .registerModule(new JavaTimeModule())
              .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
      // Observers of the loop: events, the watch's status objects, meters. Added before start() so
      // none is missed.
      watchHub = new WatchHub(watch, json, metrics.registry(), clock);
      events =
          new EventLog(
              EVENTS_RETAINED,
              event -> watchHub.append(WatchKind.Event, event),
              metrics.registry());
      eventLog.set(events);
      reconciler.addObserver(new FleetEvents(events, clock));
      started.push(watchHub);
      statusFeed = new StatusFeed(fleet, watchHub, Duration.ofMillis(100));
      started.push(statusFeed::close);
      reconciler.addObserver(statusFeed);
      reconciler.addObserver(
          new ReconcilerMeters(
              agents,
              () -> reconciler.loopFailures() + LoopGuard.failures(),
              changes::writerFailures,
              metrics.registry()));
      statusFeed.requestRecompute();
      // Every change commit is an event naming its actor (the audit trail next to Git's); an
      // automatic rollback records its own, with why (AutoRollback).
      changes.withListener(
          (kind, app, result, actor) -> {
            if (kind == CommitListener.Kind.ROLLBACK && actor.equals(Actor.OGP)) return;
            EventReason reason =
                kind == CommitListener.Kind.ROLLBACK
                    ? EventReason.ROLLBACK_COMMITTED
                    : EventReason.CHANGE_COMMITTED;
            events.record(
                Event.of(clock, reason, result.subject() + " (by " + actor.displayName() + ")")
                    .withApp(app)
                    .withRevision(result.commit().orElse(""))
                    .withAuthor(actor.displayName()));
          });
      autoRollback =
          s.replication() == null
              ? new AutoRollback(changes, events, clock)
              : new AutoRollback(changes, events, clock, s.replication().revertClaims());
      started.push(autoRollback::close);
      reconciler.addObserver(autoRollback);
      watchRoutes = new WatchRoutes(watchHub, watch);
      started.push(watchRoutes::close);
      EventRoutes eventRoutes = new EventRoutes(events);
      HostRoutes hostRoutes = new HostRoutes(agents);
      // The cluster: a replica's view, or this server alone, leading at epoch 0.
      ClusterRoutes clusterRoutes =
          new ClusterRoutes(
              s.replication() != null ? s.replication().cluster() : () -> single(s, agents));
      clusterMeters =
          s.replication() != null
              ? s.replication().meters()
              : ClusterMeters.single(agents::fencedCommands);
      clusterMeters.bindTo(metrics.registry());
      webhookSecretFile =
          s.webhookSecretFile() != null
              ? s.webhookSecretFile()
              : s.dataDir().resolve(WEBHOOK_SECRET_FILE);
      if (s.webhookSecretFile() == null) SecretToken.loadOrCreate(webhookSecretFile, random);
      WebhookRoutes webhooks =
          new WebhookRoutes(
              WebhookSettings.of(
                  s.remote().redactedUrl(),
                  s.remote().branch(),
                  WebhookSettings.readSecretFile(webhookSecretFile)),
              hint -> reconciler.requestRefresh(hint.after()),
              metrics.registry());
      portal =
          new PortalRoutes(
              FleetView.of(fleet),
              new UserDirectory(tokens, s.dataDir().resolve(UsersFile.DEFAULT_NAME)),
              new GitChanges(changes),
              new LoggedEvents(events),
              watchHub,
              clock,
              PortalSettings.defaults().withSecureCookies(s.reachedOverHttps()),
              reconciler::confirmHeld);
      http =
          PortInUse.explained(
              "--http-port",
              s.bindAddress(),
              s.httpPort(),
              () ->
                  Javalin.create(
                          config -> {
                            config.jsonMapper(new JavalinJackson(json, false));
                            config.jetty.host = s.bindAddress();
                            config.jetty.port = s.httpPort();
                            if (s.https().isPresent()) installHttps(s.https().get(), config, s);
                            config.startup.showJavalinBanner = false;
                            if (s.reachedOverHttps()) StrictTransportSecurity.register(config);
                            api.register(config);
                            changeRoutes.register(config);
                            metrics.register(config);
                            webhooks.register(config);
                            portal.register(config);
                            watchRoutes.register(config);
                            eventRoutes.register(config);
                            hostRoutes.register(config);
                            clusterRoutes.register(config);
                          })
                      .start());
      long httpUp = System.nanoTime();
      reconciler.start();
      // Agents last: after a restart or a takeover the whole fleet dials at once, and the server
      // is built faster without thousands of Hellos on the same cores.
      PortInUse.explained(
          "--agent-port",
          s.bindAddress(),
          s.agentPort(),
          () -> {
            agents.acceptConnections();
            return agents;
          });
      if (s.enrolment() != null) recordJoinEndpoint(s, agents.port());
      log.info(
          "ogp server: following {} ({}), {} on {}:{}, agents on {}:{} ({})",
          s.remote().redactedUrl(), // the URL may carry credentials
          s.remote().branch(),
          s.https().isPresent() ? "HTTPS" : "HTTP",
          s.bindAddress(),
          http.port(),
          s.bindAddress(),
          agents.port(),
          s.agentTls()
              .map(
                  t ->
                      t.clientCertificateOptional()
                          ? "mutual TLS; agents without a certificate may only enrol"
                          : t.mutual() ? "mutual TLS" : "TLS")
              .orElse("plain TCP"));
      // Where a start spends its time: a replica's takeover is measured against seconds.
      log.info(
          "server started in {} ms (tokens and mirror {} ms, reconciler and agent port {} ms,"
              + " API, portal and HTTP {} ms)",
          (System.nanoTime() - startedAt) / 1_000_000,
          (mirrorOpen - startedAt) / 1_000_000,
          (loopUp - mirrorOpen) / 1_000_000,
          (httpUp - loopUp) / 1_000_000);
    } catch (RuntimeException | IOException | InterruptedException | Error e) {
      // A server that did not start holds nothing: no thread, port, mirror or data-dir lock.
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
      }
      if (dataDirLock != null) dataDirLock.close();
      throw e;
    }
  }

  /** A server without replicas as {@code GET /api/v1/cluster} shows it. */
  private ClusterStatus single(Settings s, AgentServer agents) {
    String host = ServerCommand.displayHost(s.bindAddress());
    return ClusterStatus.single(
        SINGLE_MEMBER_ID,
        JoinEndpoint.address(host, agents.port()),
        (s.https().isPresent() ? "https" : "http")
            + "://"
            + JoinEndpoint.address(host, http.port()));
  }

  /** The builder with enrolment when the settings have it. */
  private AgentServer.Builder enrolment(Settings s, AgentServer.Builder builder) {
    return s.enrolment() == null
        ? builder
        : builder.enrolment(s.enrolment().ca(), tokens, s.enrolment().agentCertTtl());
  }

  /**
   * Writes where agents enrol ({@link JoinEndpoint}) and logs the CA pin and how to make a join
   * command.
   */
  private static void recordJoinEndpoint(Settings s, int agentPort) throws IOException {
    String own = JoinEndpoint.address(s.enrolment().advertisedName(), agentPort);
    JoinEndpoint endpoint =
        new JoinEndpoint(
            s.replication() == null ? own : everyReplica(s.replication().cluster().get(), own),
            CaHash.of(s.enrolment().ca().certificate().certificate()));
    endpoint.write(s.dataDir());
    log.info(
        "agents enrol at {} with CA pin {}; a join command: ogp tokens create --kind join --uses 1"
            + " --ttl 24h --print-join-command --data-dir {}",
        endpoint.address(),
        endpoint.caHash(),
        s.dataDir());
  }

  /**
   * What agents of a replicated server dial: every live replica's agent address, this leader's
   * first ({@code ogp agent enroll --server a,b,c} keeps the list and follows the leader).
   */
  static String everyReplica(ClusterStatus cluster, String own) {
    java.util.List<String> addresses = new java.util.ArrayList<>();
    cluster.members().stream()
        .filter(m -> m.id().equals(cluster.self()))
        .forEach(m -> addresses.add(m.agentAddress()));
    if (addresses.isEmpty()) addresses.add(own);
    cluster.members().stream()
        .map(ClusterStatus.Member::agentAddress)
        .filter(a -> !addresses.contains(a))
        .sorted()
        .forEach(addresses::add);
    return String.join(",", addresses);
  }

  private static void installHttps(
      HttpsConnector https, io.javalin.config.JavalinConfig config, Settings s) {
    try {
      https.install(config, s.bindAddress(), s.httpPort());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Why the server is not ready after its first fetch: the fetch's error, or that it is still
   * running after {@code wait}; empty once a fetch succeeded. For the start-up banner.
   */
  Optional<String> notReadyAfterFirstFetch(Duration wait) throws InterruptedException {
    DesiredStateSource source = loop.fleet().source();
    long deadline = System.nanoTime() + wait.toNanos();
    while (source.lastFetch().isEmpty() && source.lastFetchError().isEmpty()) {
      if (System.nanoTime() >= deadline)
        return Optional.of("the first fetch has not finished after " + wait.toSeconds() + " s");
      Thread.sleep(20); // waiting for the fetch worker's first answer
    }
    return source.lastFetchError();
  }

  int httpPort() {
    return http.port();
  }

  int agentPort() {
    return loop.agents().port();
  }

  /**
   * The admin token from its hand-over file {@code <data-dir>/admin-token} (for {@code ogp dev} and
   * tests).
   */
  SecretToken adminToken() {
    return handOver("admin", adminTokenFile);
  }

  /**
   * The join token from its hand-over file {@code <data-dir>/join-token} (for {@code ogp dev} and
   * tests).
   */
  SecretToken joinToken() {
    return handOver("join", joinTokenFile);
  }

  /** The server's hashed tokens. */
  TokenStore tokens() {
    return tokens;
  }

  /**
   * The token in a hand-over file, if the file is there and still holds a valid token of that name.
   */
  private SecretToken handOver(String name, Path file) {
    try {
      SecretToken token = SecretToken.of(Files.readString(file, StandardCharsets.US_ASCII));
      if (tokens.verify(token.reveal()).filter(g -> g.name().equals(name)).isPresent())
        return token;
    } catch (IOException | IllegalArgumentException e) {
      // handled below: the same answer for a missing, empty or stale file
    }
    throw new CommandFailure(
        file
            + " does not hold a valid '"
            + name
            + "' token; run: ogp tokens rotate "
            + name
            + " --data-dir "
            + dataDir
            + " (it rewrites the file)");
  }

  Path adminTokenFile() {
    return adminTokenFile;
  }

  Path joinTokenFile() {
    return joinTokenFile;
  }

  Path webhookSecretFile() {
    return webhookSecretFile;
  }

  Reconciler reconciler() {
    return loop.reconciler();
  }

  AgentServer agents() {
    return loop.agents();
  }

  /** Where events are recorded (e.g. by the change service when it commits a rollback). */
  EventLog events() {
    return events;
  }

  WatchHub watchHub() {
    return watchHub;
  }

  @Override
  public void close() {
    portal.close(); // first: ends the portal's live streams, which a graceful stop would wait for
    // Watchers first: each gets an ERROR line and a clean end before Jetty stops.
    watchHub.close();
    try {
      watchRoutes.awaitStreamsEnded(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    statusFeed.close();
    autoRollback.close();
    http.stop();
    changes.close();
    watchRoutes.close();
    loop.close(); // the loop's workers, then the agent server
    hostBindings.close(); // after the agent server: no claim comes in any more
    mirror.close();
    tokenRefresh.shutdownNow();
    if (dataDirLock != null) dataDirLock.close();
  }
}
