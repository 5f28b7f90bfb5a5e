package ogp.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import ogp.agent.HostAgent;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.replicas.ServerAddress;
import ogp.protocol.HostIds;
import ogp.protocol.tls.AgentTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ogp agent}: the per-host agent, until interrupted. With an enrolment in its data dir
 * ({@code ogp agent enroll}) the server and host id default to the enrolled ones, an explicit
 * {@code --host-id} that differs is bad usage, and the link is mutual TLS with the enrolled
 * identity (renewed automatically); without one, {@code --server} and {@code --host-id} are
 * required, as before enrolment existed.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Runs the agent of one Docker host: connects to the server and converges the host's containers.",
    subcommands = {AgentEnrollCommand.class})
final class AgentCommand implements Callable<Integer> {
  @Option(
      names = "--server",
      description =
          "Server agent endpoint, HOST:PORT; with replicas (ogp server --etcd) any or all of them,"
              + " HOST:PORT,HOST:PORT,...: the agent dials them in turn and follows a replica's"
              + " redirect to the leader only to an address of this list (default: the enrolled"
              + " server, if enrolled).")
  String server;

  @Option(
      names = "--host-id",
      description =
          "This host's id, as used in hosts: lists: a DNS label (lower-case letters, digits, inner"
              + " hyphens; at most 63). Default: the enrolled host id, if enrolled.")
  String hostId;

  @Option(names = "--label", description = "A label k=v for selector placement; repeatable.")
  List<String> labels = List.of();

  @Option(
      names = "--join-token-file",
      description = "File holding the server's join token (<server data dir>/join-token).")
  Path joinTokenFile;

  @Option(
      names = "--docker-host",
      defaultValue = "unix:///var/run/docker.sock",
      description = "Docker Engine API (default: ${DEFAULT-VALUE}).")
  String dockerHost;

  @Option(
      names = "--registry-auth-file",
      description = "Registry credentials in Docker's config.json format ({\"auths\": {...}}).")
  Path registryAuthFile;

  @Option(
      names = "--data-dir",
      defaultValue = ".ogp-agent",
      description = "Agent state (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--tls-ca",
      description =
          "Connect over TLS and verify the server's certificate (and its name, the HOST of --server) against this CA (PEM).")
  Path tlsCa;

  @Option(
      names = "--tls-cert",
      description =
          "Client certificate for mutual TLS (PEM), issued for this --host-id (ogp certs agent).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "The private key of --tls-cert (PEM, PKCS#8).")
  Path tlsKey;

  @Override
  public Integer call() throws Exception {
    HostAgent.Settings settings = settings();
    try (ShutdownSignal shutdown = new ShutdownSignal();
        HostAgent agent = new HostAgent(settings)) {
      shutdown.await();
    }
    return 0;
  }

  /**
   * The agent's settings from the flags and the data dir's enrolment; bad usage and unreadable
   * files fail here, before Docker is touched.
   */
  HostAgent.Settings settings() throws java.io.IOException {
    EnrolledIdentity identity = EnrolledIdentity.in(dataDir);
    Optional<EnrolledIdentity.Enrolment> enrolment;
    try {
      enrolment = identity.enrolment();
    } catch (java.io.IOException e) {
      throw new CommandFailure(e.getMessage());
    }
    if (enrolment.isPresent()) {
      if (hostId != null && !hostId.equals(enrolment.get().hostId())) {
        throw new CommandFailure(
            "--host-id "
                + hostId
                + " differs from the host id this data dir is enrolled as ("
                + enrolment.get().hostId()
                + "); drop --host-id, or enrol again with another --data-dir",
            2);
      }
      if (tlsCa != null || tlsCert != null || tlsKey != null) {
        throw new CommandFailure(
            "--tls-ca, --tls-cert and --tls-key are not used with an enrolled identity ("
                + identity.dir()
                + ")",
            2);
      }
      hostId = enrolment.get().hostId();
      if (server == null) server = enrolment.get().server();
      requireUnexpired(identity, hostId);
    }
    if (server == null || hostId == null) {
      throw new CommandFailure(
          "--server and --host-id are required unless the data dir holds an enrolment (ogp agent"
              + " enroll --data-dir "
              + dataDir
              + " ...)",
          2);
    }
    requireValidHostId(hostId);
    ServerSecurityOptions.pair("--tls-cert", tlsCert, "--tls-key", tlsKey);
    if (tlsCert != null && tlsCa == null) {
      throw new CommandFailure(
          "--tls-cert needs --tls-ca: the agent must verify the server it hands its certificate to",
          2);
    }
    List<ServerAddress> servers = servers(server);
    Map<String, String> labelMap = labels(labels);
    String token = "";
    if (joinTokenFile != null) {
      if (!Files.isReadable(joinTokenFile))
        throw new CommandFailure("cannot read the join token file " + joinTokenFile);
      token = Files.readString(joinTokenFile).strip();
    }
    HostAgent.Settings settings =
        HostAgent.Settings.of(
                servers.get(0).host(),
                servers.get(0).port(),
                hostId,
                labelMap,
                token,
                URI.create(dockerHost),
                registryAuthFile,
                dataDir)
            .withServers(servers);
    if (joinTokenFile != null)
      settings = settings.withJoinTokenFile(joinTokenFile); // re-read on reconnect: rotation
    if (enrolment.isPresent()) {
      settings = settings.withEnrolledIdentity(identity, Duration.ofMinutes(1));
    } else if (tlsCa != null) {
      settings =
          settings.withTls(
              new AgentTls(tlsCa, Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey)));
    }
    return settings;
  }

  /**
   * The {@code --server} list ({@code HOST:PORT[,HOST:PORT...]}); bad usage (exit 2) naming the
   * first bad entry: an empty one, one without a port, one given twice.
   */
  static List<ServerAddress> servers(String list) {
    try {
      return ServerAddress.parseList(list);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure("--server: " + e.getMessage(), 2);
    }
  }

  /**
   * Fails (exit 1) with the way back when the enrolled certificate expired, e.g. while the host was
   * off past its renewal: no server accepts it, and renewal needs a connection it cannot make.
   */
  static void requireUnexpired(EnrolledIdentity identity, String hostId) throws IOException {
    X509Certificate certificate = identity.readCertificate();
    if (certificate.getNotAfter().toInstant().isBefore(Instant.now())) {
      throw new CommandFailure(
          "the certificate of host "
              + hostId
              + " in "
              + identity.certificateFile()
              + " expired at "
              + certificate.getNotAfter().toInstant()
              + " (the agent renews it only while connected); to enrol again: an admin runs ogp"
              + " hosts release "
              + hostId
              + ", then on this host remove "
              + identity.dir()
              + " and run the join command of a new join token. The containers keep running.");
    }
  }

  /** Bad usage (exit 2) unless {@code hostId} is a DNS label ({@link HostIds}). */
  static void requireValidHostId(String hostId) {
    HostIds.problem(hostId)
        .ifPresent(
            problem -> {
              throw new CommandFailure("--host-id: " + problem, 2);
            });
  }

  /**
   * {@code --label k=v} values as a map, in the order given; bad usage (exit 2) for anything else.
   */
  static Map<String, String> labels(List<String> labels) {
    return labels(labels, "--label");
  }

  /** As {@link #labels(List)}, naming the values {@code what} in the error. */
  static Map<String, String> labels(List<String> labels, String what) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String label : labels) {
      int eq = label.indexOf('=');
      if (eq <= 0) throw new CommandFailure(what + " must be k=v, got '" + label + "'", 2);
      map.put(label.substring(0, eq), label.substring(eq + 1));
    }
    return map;
  }
}
