package ogp.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import ogp.cluster.EtcdLeadership;
import ogp.reconciler.source.GitRemote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ogp server}: the controller, until interrupted. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description =
        "Runs the reconciler: follows the repository, serves agents, the HTTP API and the portal.")
final class ServerCommand implements Callable<Integer> {
  @Mixin RepositoryOptions.Required repository;

  @Option(
      names = "--poll",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "Poll interval (default: ${DEFAULT-VALUE}).")
  Duration poll;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--agent-port",
      defaultValue = "7070",
      description = "Port agents connect to (default: ${DEFAULT-VALUE}).")
  int agentPort;

  @Option(
      names = "--bind",
      defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--lost-grace",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "A host without heartbeats for this long is lost (default: ${DEFAULT-VALUE}).")
  Duration lostGrace;

  @Option(
      names = "--forget-lost-after",
      defaultValue = "24h",
      converter = DurationConverter.OrZero.class,
      description =
          "A host lost for longer than this is forgotten: dropped from /api/v1/hosts with a"
              + " HostForgotten event, unknown until it connects again; 0 never forgets"
              + " (default: ${DEFAULT-VALUE}).")
  Duration forgetLostAfter;

  @Option(
      names = "--data-dir",
      defaultValue = ".ogp",
      description = "Mirror, tokens and state (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--webhook-secret-file",
      description =
          "Webhook secrets, one per line (default: <data-dir>/webhook-secret, generated on first start).")
  Path webhookSecretFile;

  @Option(
      names = "--tls-cert",
      description =
          "TLS on the agent port: the server certificate (PEM). Recommended beyond one machine; see ogp certs.")
  Path tlsCert;

  @Option(names = "--tls-key", description = "The private key of --tls-cert (PEM, PKCS#8).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      description =
          "Require mutual TLS: agents must present a certificate from this CA naming their host id.")
  Path tlsClientCa;

  @Option(
      names = "--https-cert",
      description = "Serve HTTPS instead of HTTP on --http-port with this certificate (PEM).")
  Path httpsCert;

  @Option(names = "--https-key", description = "The private key of --https-cert (PEM).")
  Path httpsKey;

  @Option(
      names = "--pki-dir",
      paramLabel = "DIR",
      description =
          "The server's CA (ca.crt, ca.key; made on the first start) and its certificate (server.crt,"
              + " server.key) when --bind is not loopback (default: <data-dir>/pki).")
  Path pkiDir;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description = "Use this CA (PEM) instead of the pki dir's own; needs --ca-key.")
  Path caCert;

  @Option(names = "--ca-key", paramLabel = "FILE", description = "The private key of --ca-cert.")
  Path caKey;

  @Option(
      names = "--server-name",
      paramLabel = "NAME",
      split = ",",
      description =
          "A DNS name or IP address agents and clients dial, for the server certificate; repeatable"
              + " (default: the host name, localhost, 127.0.0.1 and the --bind address, or every"
              + " interface address for 0.0.0.0).")
  List<String> serverNames;

  @Option(
      names = "--insecure-agent-link",
      description =
          "Keep the agent port plain TCP (join token only) although --bind is not loopback: anyone"
              + " on the network can read and change the link. Logged as a warning at start.")
  boolean insecureAgentLink;

  @Option(
      names = "--agent-cert-ttl",
      defaultValue = "30d",
      converter = TokensCommand.LifetimeConverter.class,
      description =
          "Lifetime of the agent certificates enrolment and renewal issue, e.g. 30d or 12h; agents"
              + " renew after two thirds of it (default: ${DEFAULT-VALUE}).")
  Duration agentCertTtl;

  @Option(
      names = "--external-url",
      converter = ExternalUrlConverter.class,
      description =
          "The URL users reach the server at, e.g. https://ogp.example.com behind a TLS-terminating"
              + " proxy: with https, cookies are Secure and responses carry HSTS.")
  URI externalUrl;

  @Option(
      names = "--metrics-token-file",
      paramLabel = "FILE",
      description =
          "Require this bearer token on GET /metrics (a file holding one token, e.g. Prometheus'"
              + " credentials_file; default: /metrics is open).")
  Path metricsTokenFile;

  @Mixin RepositoryOptions.GitTimeout git;

  @Mixin ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    GitRemote remote = repository.remote();
    if (agentCertTtl.isZero() || agentCertTtl.isNegative())
      throw new CommandFailure("--agent-cert-ttl must be longer than 0s, e.g. 30d", 2);
    ServerSecurity.Flags securityFlags =
        new ServerSecurity.Flags(
            new ServerSecurityOptions(tlsCert, tlsKey, tlsClientCa, httpsCert, httpsKey),
            pkiDir != null ? pkiDir : dataDir.resolve("pki"),
            caCert,
            caKey,
            serverNames,
            insecureAgentLink);
    // Every flag is checked before anything is made (the CA, the data dir) or dialled (etcd).
    Optional<ClusterOptions.Replica> replica =
        cluster.resolve(
            new ClusterOptions.Listening(
                bind,
                securityFlags.serverNames(),
                httpsCert != null || SecureByDefault.decide(bind, insecureAgentLink).https(),
                httpPort,
                agentPort));
    if (replica.isPresent()) return replicated(remote, securityFlags, replica.get());
    ServerSecurity security =
        ServerSecurity.resolve(securityFlags, bind, Clock.systemUTC(), new SecureRandom());
    ServerProcess.Settings settings = settings(remote, security);
    Optional<ServerProcess.Settings.Enrolment> enrolment =
        Optional.ofNullable(settings.enrolment());
    try (ShutdownSignal shutdown = new ShutdownSignal();
        ServerProcess server = new ServerProcess(settings)) {
      Optional<String> notReady = server.notReadyAfterFirstFetch(Duration.ofSeconds(15));
      if (notReady.isPresent()) {
        System.err.printf(
            "ogp server started but is NOT ready: cannot read %s: %s%n  it tries again every %s (--poll);"
                + " GET /readyz answers 200 once a revision is applied.%n",
            remote.redactedUrl(), notReady.get(), poll.toString().substring(2).toLowerCase());
      }
      System.err.printf(
          "ogp server %s: %s://%s:%d/  agents: %s:%d%n  tokens:         %s (hashed; ogp tokens list --data-dir %s)%n",
          notReady.isPresent() ? "listening" : "ready",
          security.https().isPresent() ? "https" : "http",
          displayHost(bind),
          server.httpPort(),
          displayHost(bind),
          server.agentPort(),
          server.tokens().file(),
          dataDir);
      // The hand-over copies, while the operator keeps them; the server never reads them again.
      if (Files.exists(server.adminTokenFile()))
        System.err.printf("  admin token:    %s%n", server.adminTokenFile());
      if (Files.exists(server.joinTokenFile()))
        System.err.printf("  join token:     %s%n", server.joinTokenFile());
      System.err.printf("  webhook secret: %s%n", server.webhookSecretFile());
      if (security.ca().isPresent()) {
        ServerSecurity.Ca ca = security.ca().get();
        System.err.printf("  agent CA:       %s (%s)%n", ca.hash(), ca.certificateFile());
      }
      if (enrolment.isPresent())
        System.err.printf(
            "  enrol an agent: ogp tokens create --kind join --uses 1 --ttl 24h"
                + " --print-join-command --data-dir %s%n",
            dataDir);
      // Only when HTTPS serves the certificate of the server's own CA, not one given by flag.
      if (security.https().isPresent()
          && security.ca().isPresent()
          && tlsCert == null
          && httpsCert == null)
        System.err.printf(
            "  clients:        ogp status --server https://%s:%d --ca-file %s%n",
            displayHost(bind), server.httpPort(), security.ca().get().certificateFile());
      shutdown.await();
    }
    return 0;
  }

  /** The server's settings for the resolved security. */
  private ServerProcess.Settings settings(GitRemote remote, ServerSecurity security) {
    ServerProcess.Settings settings =
        new ServerProcess.Settings(
                remote,
                dataDir,
                poll,
                bind,
                httpPort,
                agentPort,
                lostGrace,
                webhookSecretFile,
                security.agentTls(),
                security.https())
            .withGitTimeout(git.gitTimeout)
            .withMetricsTokenFile(metricsTokenFile)
            .withExternalUrl(Optional.ofNullable(externalUrl))
            .withForgetLostAfter(forgetLostAfter);
    // Agents enrol with the server's own CA when it is secure by default; with explicit TLS flags
    // the operator issues the agents' certificates (ogp certs agent) and nobody enrols.
    return security.enrols() ? settings.withEnrolment(enrolment(security)) : settings;
  }

  /** One replica of several on etcd, until interrupted (docs/ha.md). */
  private int replicated(
      GitRemote remote, ServerSecurity.Flags securityFlags, ClusterOptions.Replica replica)
      throws Exception {
    try (ShutdownSignal shutdown = new ShutdownSignal();
        ReplicatedServer server =
            ReplicatedServer.start(
                new ReplicatedServer.Settings(
                    replica, dataDir, securityFlags, bind, security -> settings(remote, security)),
                EtcdLeadership::start,
                Clock.systemUTC())) {
      ServerProcess.Settings s = server.serverSettings();
      System.err.printf(
          "ogp server replica %s: etcd %s, prefix %s%n"
              + "  advertises:     %s  agents: %s%n"
              + "  listens:        %s://%s:%d/  agents: %s:%d%n"
              + "  leader:         ogp cluster --server %s (the leader serves; standbys"
              + " redirect)%n",
          replica.self().id(),
          replica.etcd().endpoints(),
          replica.etcd().prefix(),
          replica.self().httpUrl(),
          replica.self().agentAddress(),
          s.https().isPresent() ? "https" : "http",
          displayHost(bind),
          httpPort,
          displayHost(bind),
          agentPort,
          replica.self().httpUrl());
      if (server.security().ca().isPresent())
        System.err.printf(
            "  agent CA:       %s (%s)%n",
            server.security().ca().get().hash(), server.security().ca().get().certificateFile());
      shutdown.await();
    }
    return 0;
  }

  /** How agents enrol with the CA of a server that is secure by default. */
  private ServerProcess.Settings.Enrolment enrolment(ServerSecurity security) {
    return new ServerProcess.Settings.Enrolment(
        security.ca().get().authority(), agentCertTtl, security.advertisedName().orElseThrow());
  }

  static String displayHost(String bind) {
    return "0.0.0.0".equals(bind) ? "127.0.0.1" : bind;
  }
}
