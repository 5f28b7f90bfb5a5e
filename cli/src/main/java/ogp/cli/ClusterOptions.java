package ogp.cli;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import ogp.cluster.EtcdSettings;
import ogp.cluster.Member;
import ogp.protocol.LogText;
import picocli.CommandLine.Option;

/**
 * The flags that make {@code ogp server} one replica of several on etcd ({@code --etcd} and the
 * rest, docs/ha.md), checked together before anything starts: a bad value, or a replica flag
 * without {@code --etcd}, is one sentence and exit 2. Without {@code --etcd} the server is the
 * single node it always was.
 */
final class ClusterOptions {
  /** What {@code --member-id} may be: it names the replica in etcd keys, logs and events. */
  private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  @Option(
      names = "--etcd",
      paramLabel = "URL,...",
      description =
          "Run as one replica of several on this etcd cluster (client URLs, comma-separated, e.g."
              + " http://10.0.0.1:2379,http://10.0.0.2:2379): one replica leads, the others stand"
              + " by and redirect (docs/ha.md). Default: a single server.")
  String etcd;

  @Option(
      names = "--etcd-ca-file",
      paramLabel = "FILE",
      description = "The CA (PEM) that signed etcd's server certificates (https endpoints).")
  Path etcdCaFile;

  @Option(
      names = "--etcd-cert-file",
      paramLabel = "FILE",
      description = "A client certificate (PEM) for etcd's mutual TLS; needs --etcd-key-file.")
  Path etcdCertFile;

  @Option(
      names = "--etcd-key-file",
      paramLabel = "FILE",
      description = "The private key of --etcd-cert-file (PEM).")
  Path etcdKeyFile;

  @Option(
      names = "--etcd-user",
      paramLabel = "USER",
      description = "etcd user name; needs --etcd-password-file.")
  String etcdUser;

  @Option(
      names = "--etcd-password-file",
      paramLabel = "FILE",
      description = "File holding the password of --etcd-user.")
  Path etcdPasswordFile;

  @Option(
      names = "--etcd-prefix",
      paramLabel = "PREFIX",
      description =
          "Every key of this OGP cluster lives under it; several clusters may share one etcd"
              + " (default: "
              + EtcdSettings.DEFAULT_PREFIX
              + ").")
  String etcdPrefix;

  @Option(
      names = "--member-id",
      paramLabel = "ID",
      description = "This replica's name among the replicas (default: the host name).")
  String memberId;

  @Option(
      names = "--advertise-url",
      paramLabel = "URL",
      description =
          "This replica's base URL other replicas redirect users and forges to while it leads"
              + " (default: http(s)://<first --server-name or the bind address>:<http port>).")
  String advertiseUrl;

  @Option(
      names = "--advertise-agent-address",
      paramLabel = "HOST:PORT",
      description =
          "The address agents dial for this replica's agent port while it leads (default: <first"
              + " --server-name or the bind address>:<agent port>).")
  String advertiseAgentAddress;

  @Option(
      names = "--leader-lease",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "The leader's lease: a leader that cannot renew it stops commanding before it expires,"
              + " and a standby leads after it expired (default: 10s).")
  Duration leaderLease;

  /**
   * A replica: how it reaches etcd and how the others see it.
   *
   * @param etcd the endpoints, TLS, auth, prefix and lease
   * @param self this replica's id and advertised addresses
   */
  record Replica(EtcdSettings etcd, Member self) {}

  /** Where this server listens, for the advertised addresses' defaults. */
  record Listening(
      String bind, List<String> serverNames, boolean https, int httpPort, int agentPort) {}

  /**
   * The replica these flags describe, or empty without {@code --etcd}.
   *
   * @throws CommandFailure exit 2, one sentence, for the first bad value
   */
  Optional<Replica> resolve(Listening listening) {
    if (etcd == null) {
      refuseWithoutEtcd();
      return Optional.empty();
    }
    List<URI> endpoints = usage(() -> EtcdSettings.parseEndpoints(etcd));
    readable("--etcd-ca-file", etcdCaFile);
    readable("--etcd-cert-file", etcdCertFile);
    readable("--etcd-key-file", etcdKeyFile);
    readable("--etcd-password-file", etcdPasswordFile);
    if (etcdUser != null && etcdUser.isBlank())
      throw new CommandFailure("--etcd-user must not be empty", 2);
    if (etcdCaFile != null && endpoints.get(0).getScheme().equals("http"))
      throw new CommandFailure(
          "--etcd-ca-file is for https endpoints; --etcd names http:// URLs", 2);
    Duration lease = leaderLease != null ? leaderLease : EtcdSettings.DEFAULT_LEASE_TTL;
    if (lease.compareTo(Duration.ofSeconds(2)) < 0)
      throw new CommandFailure(
          "--leader-lease must be at least 2s (a leader renews it several times per lease), got "
              + lease.toString().substring(2).toLowerCase(Locale.ROOT),
          2);
    EtcdSettings settings =
        usage(
            () ->
                new EtcdSettings(
                    endpoints,
                    Optional.ofNullable(etcdCaFile),
                    Optional.ofNullable(etcdCertFile),
                    Optional.ofNullable(etcdKeyFile),
                    Optional.ofNullable(etcdUser),
                    Optional.ofNullable(etcdPasswordFile),
                    etcdPrefix != null ? etcdPrefix : EtcdSettings.DEFAULT_PREFIX,
                    lease,
                    EtcdSettings.DEFAULT_CALL_TIMEOUT));
    if (listening.httpPort() == 0 || listening.agentPort() == 0)
      throw new CommandFailure(
          "--etcd needs fixed ports: replicas advertise their --http-port and --agent-port to"
              + " each other (0 picks a different port at every start)",
          2);
    String id = memberId != null ? memberId : hostName();
    if (!MEMBER_ID.matcher(id).matches())
      throw new CommandFailure(
          "--member-id "
              + LogText.quote(id)
              + " must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
          2);
    String host = advertisedHost(listening);
    URI url =
        advertiseUrl != null
            ? httpUrl(advertiseUrl)
            : httpUrl(
                (listening.https() ? "https" : "http")
                    + "://"
                    + JoinEndpoint.address(host, listening.httpPort()));
    String agentAddress =
        advertiseAgentAddress != null
            ? agentAddress(advertiseAgentAddress)
            : JoinEndpoint.address(host, listening.agentPort());
    return Optional.of(new Replica(settings, new Member(id, agentAddress, url)));
  }

  /** Replica flags mean nothing without {@code --etcd}: said rather than ignored. */
  private void refuseWithoutEtcd() {
    List<String> given = new java.util.ArrayList<>();
    if (etcdCaFile != null) given.add("--etcd-ca-file");
    if (etcdCertFile != null) given.add("--etcd-cert-file");
    if (etcdKeyFile != null) given.add("--etcd-key-file");
    if (etcdUser != null) given.add("--etcd-user");
    if (etcdPasswordFile != null) given.add("--etcd-password-file");
    if (etcdPrefix != null) given.add("--etcd-prefix");
    if (memberId != null) given.add("--member-id");
    if (advertiseUrl != null) given.add("--advertise-url");
    if (advertiseAgentAddress != null) given.add("--advertise-agent-address");
    if (leaderLease != null) given.add("--leader-lease");
    if (!given.isEmpty())
      throw new CommandFailure(
          String.join(", ", given)
              + (given.size() == 1 ? " is" : " are")
              + " for replicas and needs --etcd",
          2);
  }

  /** The first {@code --server-name}, else the bind address, else this machine's name. */
  private static String advertisedHost(Listening listening) {
    if (!listening.serverNames().isEmpty()) return listening.serverNames().get(0).strip();
    String bind = listening.bind().strip();
    if (bind.startsWith("[") && bind.endsWith("]")) bind = bind.substring(1, bind.length() - 1);
    if (!List.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0").contains(bind)) return bind;
    return hostName();
  }

  /** {@code --advertise-url}: http(s), a host, nothing but an optional port after it. */
  static URI httpUrl(String value) {
    URI uri;
    try {
      uri = new URI(value.strip());
    } catch (URISyntaxException e) {
      throw badUrl(value);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean bare =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || !bare
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) throw badUrl(value);
    return URI.create(scheme + "://" + uri.getRawAuthority());
  }

  private static CommandFailure badUrl(String value) {
    return new CommandFailure(
        "--advertise-url "
            + LogText.quote(value)
            + " is not a base URL (expected http(s)://host[:port], e.g. https://ogp-1.example.com:8080)",
        2);
  }

  /** {@code --advertise-agent-address}: {@code host:port}, brackets around an IPv6 host. */
  static String agentAddress(String value) {
    String text = value.strip();
    int colon = text.lastIndexOf(':');
    String host = colon > 0 ? text.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = colon > 0 ? Integer.parseInt(text.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isEmpty()
        || port < 1
        || port > 65535
        || host.contains(":") && !text.startsWith("[")
        || !host.matches("[A-Za-z0-9.:_-]+"))
      throw new CommandFailure(
          "--advertise-agent-address "
              + LogText.quote(value)
              + " must be HOST:PORT (e.g. ogp-1.example.com:7070, [fd00::1]:7070)",
          2);
    return JoinEndpoint.address(host, port);
  }

  private static void readable(String flag, Path file) {
    if (file != null && !Files.isReadable(file))
      throw new CommandFailure(flag + " " + file + ": no such file, or not readable", 2);
  }

  /** The value, or exit 2 with the message of the refusal. */
  private static <T> T usage(java.util.function.Supplier<T> value) {
    try {
      return value.get();
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2);
    }
  }

  /** This machine's name, the default member id ({@code localhost} when it has none). */
  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
