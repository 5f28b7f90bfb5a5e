package ogp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import ogp.portal.PortalRoutes;
import ogp.portal.auth.UserDirectory;
import ogp.portal.auth.UsersFile;
import ogp.portal.changes.GitChanges;
import ogp.portal.events.EventFeed;
import ogp.portal.fleet.FleetView;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.api.ApiRoutes;
import ogp.reconciler.api.ChangeRoutes;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.control.DesiredStateSource;
import ogp.reconciler.control.Reconciler;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.webhook.WebhookRoutes;
import ogp.webhook.WebhookSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller process: Git mirror, reconciler, agent server and the HTTP server with the API,
 * webhook receivers, metrics and the portal (users from {@code <data-dir>/users.yaml}).
 * Built from {@link Settings}; {@link #close()} stops everything in reverse order.
 */
final class ServerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

  record Settings(
      GitRemote remote,
      Path dataDir,
      Duration poll,
      String bindAddress,
      int httpPort,
      int agentPort,
      Duration lostGrace,
      Path webhookSecretFile) {}

  private final GitMirror mirror;
  private final AgentServer agents;
  private final Reconciler reconciler;
  private final Javalin http;
  private final PortalRoutes portal;
  private final SecretToken adminToken;
  private final SecretToken joinToken;
  private final Path adminTokenFile;
  private final Path joinTokenFile;
  private final Path webhookSecretFile;

  /** Generated in the data dir on first start when no --webhook-secret-file is given. */
  static final String WEBHOOK_SECRET_FILE = "webhook-secret";

  ServerProcess(Settings s) throws IOException, InterruptedException {
    SecureRandom random = new SecureRandom();
    adminTokenFile = s.dataDir().resolve(SecretToken.ADMIN_TOKEN_FILE);
    joinTokenFile = s.dataDir().resolve(SecretToken.JOIN_TOKEN_FILE);
    adminToken = SecretToken.loadOrCreate(adminTokenFile, random);
    joinToken = SecretToken.loadOrCreate(joinTokenFile, random);
    mirror = GitMirror.open(s.remote(), s.dataDir());
    reconciler =
        new Reconciler(
            onApplied -> new DesiredStateSource(mirror, Clock.systemUTC(), onApplied),
            listener ->
                AgentServer.builder(joinToken, listener)
                    .bind(s.bindAddress(), s.agentPort())
                    .lostGrace(s.lostGrace())
                    .serverVersion(Main.version())
                    .start(),
            s.poll(),
            Duration.ofSeconds(30));
    agents = reconciler.agents();
    ApiRoutes api = new ApiRoutes(reconciler, adminToken);
    // Each change commit is applied at once: the refresh runs on the request's thread after the push.
    ChangeService changes = new ChangeService(mirror, reconciler::refreshNow);
    ChangeRoutes changeRoutes = new ChangeRoutes(changes);
    MetricsRoutes metrics = new MetricsRoutes();
    webhookSecretFile = s.webhookSecretFile() != null
        ? s.webhookSecretFile()
        : s.dataDir().resolve(WEBHOOK_SECRET_FILE);
    if (s.webhookSecretFile() == null) SecretToken.loadOrCreate(webhookSecretFile, random);
    WebhookRoutes webhooks =
        new WebhookRoutes(
            WebhookSettings.of(s.remote().url(), s.remote().branch(), WebhookSettings.readSecretFile(webhookSecretFile)),
            hint -> reconciler.requestRefresh(hint.after()),
            metrics.registry());
    portal = new PortalRoutes(
        FleetView.of(reconciler),
        new UserDirectory(adminToken, s.dataDir().resolve(UsersFile.DEFAULT_NAME)),
        new GitChanges(changes),
        EventFeed.none(),
        Clock.systemUTC());
    ObjectMapper json =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    http =
        Javalin.create(
                config -> {
                  config.jsonMapper(new JavalinJackson(json, false));
                  config.jetty.host = s.bindAddress();
                  config.jetty.port = s.httpPort();
                  config.startup.showJavalinBanner = false;
                  api.register(config);
                  changeRoutes.register(config);
                  metrics.register(config);
                  webhooks.register(config);
                  portal.register(config);
                })
            .start();
    reconciler.start();
    log.info(
        "ogp server: following {} ({}), HTTP on {}:{}, agents on {}:{}",
        s.remote().url(),
        s.remote().branch(),
        s.bindAddress(),
        http.port(),
        s.bindAddress(),
        agents.port());
  }

  int httpPort() {
    return http.port();
  }

  int agentPort() {
    return agents.port();
  }

  SecretToken adminToken() {
    return adminToken;
  }

  SecretToken joinToken() {
    return joinToken;
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
    return reconciler;
  }

  @Override
  public void close() {
    portal.close(); // first: ends the portal's live streams, which a graceful stop would wait for
    http.stop();
    reconciler.close(); // also closes the agent server
    mirror.close();
  }
}
