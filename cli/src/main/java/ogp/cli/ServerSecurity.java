package ogp.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import ogp.protocol.tls.CaHash;
import ogp.protocol.tls.ServerTls;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.ServerCertificate;
import ogp.reconciler.pki.ServerNames;
import ogp.reconciler.pki.ServerPki;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the security flags of {@code ogp server} and the {@link SecureByDefault} decision into the
 * TLS material {@link ServerProcess.Settings} takes: the CA ({@code <pki-dir>/ca.crt}, made on the
 * first start, or {@code --ca-cert}/{@code --ca-key}), the server certificate issued by it into the
 * pki dir for the {@code --server-name}s, and which of them each listener uses.
 *
 * <p>Policy: on loopback nothing is created and the explicit flags apply as they always did. Beyond
 * loopback the agent port uses {@code --tls-cert} or the generated certificate and verifies client
 * certificates against the CA, letting connections without one through TLS to enrol (their Hello is
 * refused); with {@code --tls-client-ca} it requires that CA's certificates instead and nobody
 * enrols; HTTPS uses {@code --https-cert}, else the agent port's certificate. A certificate the
 * operator gave is never replaced. {@code --insecure-agent-link} keeps the agent port as the
 * explicit flags say (plain without them) and logs one WARN.
 *
 * @param agentTls what the agent port serves; empty: plain TCP
 * @param https what the HTTP port serves; empty: plain HTTP
 * @param ca the CA agents are enrolled with, when the server has one
 * @param advertisedName the name agents dial, for the join command, when the server has a CA
 */
record ServerSecurity(
    Optional<ServerTls> agentTls,
    Optional<HttpsConnector> https,
    Optional<Ca> ca,
    Optional<String> advertisedName) {
  private static final Logger log = LoggerFactory.getLogger(ServerSecurity.class);

  /** Names the CA of a server created on its first start (its subject's CN). */
  static final String CA_NAME = "OGP fleet CA";

  /**
   * The CA in use.
   *
   * @param certificateFile where agents and clients find its certificate
   * @param hash its pin ({@link CaHash}), as {@code ogp agent enroll --ca-hash} takes it
   */
  record Ca(Path certificateFile, String hash, CertificateAuthority authority) {}

  /** The flags of {@code ogp server} this resolution reads. */
  record Flags(
      ServerSecurityOptions explicit,
      Path pkiDir,
      Path caCert,
      Path caKey,
      List<String> serverNames,
      boolean insecureAgentLink) {
    Flags {
      ServerSecurityOptions.pair("--ca-cert", caCert, "--ca-key", caKey);
      serverNames = serverNames == null ? List.of() : List.copyOf(serverNames);
    }
  }

  static ServerSecurity resolve(Flags flags, String bind, Clock clock, SecureRandom random)
      throws IOException {
    ServerSecurityOptions explicit = flags.explicit();
    SecureByDefault decision = SecureByDefault.decide(bind, flags.insecureAgentLink());
    if (!decision.agentLinkTls() && !decision.https()) {
      return new ServerSecurity(
          explicit.agentTls(), explicit.https(), Optional.empty(), Optional.empty());
    }
    if (decision.warnInsecureAgentLink()) {
      log.warn(
          "--insecure-agent-link: the agent port on {} is {}: join tokens, host keys and every"
              + " assignment (environment values included) cross the network readable and"
              + " changeable by anyone on the path, and any join-token holder can say Hello. Use it"
              + " only on a network you trust; without the flag agents enrol and use mutual TLS.",
          bind,
          explicit
              .agentTls()
              .map(
                  t ->
                      t.mutual()
                          ? "TLS with client certificates"
                          : "TLS without client certificates")
              .orElse("PLAIN TCP"));
    }
    Ca ca = ca(flags, clock, random);
    ServerNames names = serverNames(flags.serverNames(), bind);
    if (flags.serverNames().isEmpty()) {
      log.warn(
          "no --server-name: the server certificate names {} and join commands tell agents to dial"
              + " {}; if agents know this server by another name or address, give it with"
              + " --server-name (the certificate must name what they dial)",
          names.all(),
          advertisedName(flags.serverNames(), names, bind));
    }
    Path certificate;
    Path key;
    if (explicit.tlsCert() != null) {
      certificate = explicit.tlsCert();
      key = explicit.tlsKey();
    } else {
      ServerCertificate.Result issued =
          ServerCertificate.ensure(flags.pkiDir(), ca.authority(), names, clock);
      issued
          .reissued()
          .ifPresent(
              why ->
                  log.info(
                      "issued the server certificate {} for {}: {}",
                      issued.certificate(),
                      names.all(),
                      why));
      certificate = issued.certificate();
      key = issued.privateKey();
    }
    // Agents enrol with the CA, so its certificates are the client certificates; a client CA of
    // the operator's own (--tls-client-ca) issues them itself: mutual TLS required, no enrolment.
    // The operator's own server certificate without a client CA is the set-up of before: TLS that
    // agents verify with --tls-ca, join tokens in the Hello, no enrolment (its chain does not hold
    // the CA an enrolling agent pins).
    Optional<ServerTls> agentTls;
    if (!decision.agentLinkTls()) {
      agentTls = explicit.agentTls();
    } else if (explicit.tlsClientCa() != null) {
      agentTls = Optional.of(new ServerTls(certificate, key, Optional.of(explicit.tlsClientCa())));
    } else if (explicit.tlsCert() != null) {
      log.warn(
          "--tls-cert without --tls-client-ca: agents verify the server with --tls-ca and"
              + " authenticate with join tokens only; nobody enrols. For mutual TLS, add"
              + " --tls-client-ca, or drop --tls-cert and let agents enrol with the server's CA.");
      agentTls = explicit.agentTls();
    } else {
      agentTls = Optional.of(ServerTls.enrolling(certificate, key, ca.certificateFile()));
    }
    Optional<HttpsConnector> https =
        explicit.https().or(() -> Optional.of(new HttpsConnector(certificate, key)));
    return new ServerSecurity(
        agentTls,
        https,
        Optional.of(ca),
        Optional.of(advertisedName(flags.serverNames(), names, bind)));
  }

  /** Whether agents enrol with the CA: TLS with optional client certificates of it. */
  boolean enrols() {
    return ca.isPresent() && agentTls.map(ServerTls::clientCertificateOptional).orElse(false);
  }

  /**
   * The name agents dial, for the join command: the first {@code --server-name}, else this
   * machine's host name, else the bind address, else the first address the certificate names that
   * is not loopback.
   */
  static String advertisedName(List<String> given, ServerNames names, String bind) {
    if (!given.isEmpty()) {
      ServerNames first = ServerNames.parse(List.of(given.get(0)));
      return first.all().get(0);
    }
    Optional<String> host = hostName();
    if (host.isPresent()) return host.get();
    String address = bind.strip();
    if (!List.of("0.0.0.0", "::", "[::]").contains(address)) return address;
    return names.ipAddresses().stream()
        .filter(ip -> !ip.startsWith("127.") && !ip.equals("0:0:0:0:0:0:0:1"))
        .findFirst()
        .orElse(names.all().get(0));
  }

  private static Ca ca(Flags flags, Clock clock, SecureRandom random) throws IOException {
    try {
      if (flags.caCert() != null) {
        CertificateAuthority given = ServerPki.load(flags.caCert(), flags.caKey(), clock, random);
        return new Ca(flags.caCert(), CaHash.of(given.certificate().certificate()), given);
      }
      ServerPki pki = ServerPki.loadOrCreate(flags.pkiDir(), CA_NAME, clock, random);
      return new Ca(pki.caCertificateFile(), pki.caHash(), pki.ca());
    } catch (IllegalStateException e) {
      throw new CommandFailure(e.getMessage());
    }
  }

  /**
   * The names the server certificate carries: {@code --server-name}s when given, else this
   * machine's host name, {@code localhost}, {@code 127.0.0.1} and the bind address (every interface
   * address for a wildcard bind).
   */
  static ServerNames serverNames(List<String> given, String bind) {
    try {
      if (!given.isEmpty()) return ServerNames.parse(given);
      List<String> names = new ArrayList<>();
      hostName().ifPresent(names::add);
      names.add("localhost");
      names.add("127.0.0.1");
      names.addAll(bindNames(bind));
      return ServerNames.parse(names);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2);
    }
  }

  private static List<String> bindNames(String bind) {
    String host = bind.strip();
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    boolean wildcard =
        host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    if (!wildcard) return List.of(host);
    List<String> addresses = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp()) continue;
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          // A link-local IPv6 address needs its zone, which no certificate can carry.
          if (address.isLinkLocalAddress()) continue;
          if (host.equals("0.0.0.0") && address.getAddress().length != 4) continue;
          String text = address.getHostAddress();
          int zone = text.indexOf('%');
          addresses.add(zone < 0 ? text : text.substring(0, zone));
        }
      }
    } catch (SocketException e) {
      log.warn("cannot list the network interfaces for the server certificate: {}", e.toString());
    }
    return addresses;
  }

  /** This machine's host name, when it is a usable DNS name. */
  private static Optional<String> hostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
      return CertificateAuthority.isDnsName(name) && !name.matches("[0-9.]+")
          ? Optional.of(name)
          : Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
