package ogp.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.identity.Enroller;
import ogp.agent.replicas.LeaderEpoch;
import ogp.agent.replicas.ServerAddress;
import ogp.protocol.tls.CaHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ogp agent enroll}: the one-line join of an agent host, like {@code kubeadm join}. Checks
 * the server's CA against {@code --ca-hash} (no trust on first use), makes the agent's key here
 * (never sent), and keeps the certificate the server issues in {@code <data-dir>/identity/}; then
 * {@code ogp agent --data-dir DIR} runs with that identity. Exit 0 enrolled, 1 refused (with the
 * server's reason or the pin mismatch), 2 bad usage.
 */
@Command(
    name = "enroll",
    mixinStandardHelpOptions = true,
    description =
        "Enrols this host with a server: checks its CA against --ca-hash, makes the agent's key"
            + " here and gets its client certificate with a join token.")
final class AgentEnrollCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--server",
      required = true,
      description =
          "The server's agent endpoint, HOST:PORT (a name its certificate gives); with replicas any"
              + " or all of them, HOST:PORT,HOST:PORT,...: tried in order, a replica's redirect to"
              + " the leader followed within this list; the agent later dials the same list.")
  String server;

  // The longer names make the variables OGP_JOIN_TOKEN and OGP_JOIN_TOKEN_FILE: OGP_TOKEN is the
  // API token of the client commands, and a join token must never be taken for one (or the other
  // way round).
  @Option(
      names = {"--token", "--join-token"},
      description =
          "The join token (ogp tokens create --kind join on the server); or --token-file.")
  String tokenValue;

  @Option(
      names = {"--token-file", "--join-token-file"},
      description = "A file holding the join token; or --token.")
  Path tokenFile;

  @Option(
      names = "--ca-hash",
      required = true,
      description = "The pin of the server's CA, sha256:<64 hex> (the server prints it).")
  String caHash;

  @Option(
      names = "--host-id",
      description =
          "This host's id, a DNS label (default: the machine's host name, first label, lower"
              + " case).")
  String hostId;

  @Option(
      names = "--data-dir",
      defaultValue = ".ogp-agent",
      description =
          "Agent state; the identity goes to <data-dir>/identity (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws IOException {
    List<ServerAddress> servers = AgentCommand.servers(server);
    String pin =
        CaHash.parse(caHash)
            .orElseThrow(
                () ->
                    new CommandFailure(
                        "--ca-hash must be sha256: and 64 hex digits, got '" + caHash + "'", 2));
    String id = hostId != null ? hostId : defaultHostId();
    AgentCommand.requireValidHostId(id);
    String joinToken = joinToken();
    EnrolledIdentity identity = EnrolledIdentity.in(dataDir);
    Optional<EnrolledIdentity.Enrolment> existing = identity.enrolment();
    if (existing.isPresent()) {
      throw new CommandFailure(
          dataDir
              + " is enrolled already as "
              + existing.get().hostId()
              + " with "
              + existing.get().server()
              + "; run ogp agent --data-dir "
              + dataDir
              + ", or enrol with another --data-dir");
    }
    X509Certificate certificate;
    try {
      certificate =
          Enroller.enrol(
              new Enroller.Request(
                  servers, joinToken, pin, id, identity, LeaderEpoch.in(dataDir).highest()));
    } catch (Enroller.EnrolmentFailed e) {
      throw new CommandFailure(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2);
    }
    var out = spec.commandLine().getOut();
    out.printf(
        "enrolled %s with %s (CA %s); certificate valid until %s, renewed automatically%n"
            + "  identity: %s (agent.key never left this host)%n"
            + "next: ogp agent --data-dir %s%n",
        id,
        ServerAddress.format(servers),
        pin,
        certificate.getNotAfter().toInstant(),
        identity.dir(),
        dataDir);
    out.flush();
    return 0;
  }

  private String joinToken() throws IOException {
    if ((tokenValue == null) == (tokenFile == null)) {
      throw new CommandFailure(
          "give the join token with exactly one of --token or --token-file", 2);
    }
    if (tokenValue != null) return tokenValue.strip();
    if (!Files.isReadable(tokenFile)) {
      throw new CommandFailure("cannot read the join token file " + tokenFile);
    }
    return Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
  }

  /** The machine's host name, first label, lower case. */
  static String defaultHostId() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      throw new CommandFailure(
          "cannot find this machine's host name (" + e.getMessage() + "); give --host-id", 2);
    }
    int dot = name.indexOf('.');
    return (dot > 0 ? name.substring(0, dot) : name).toLowerCase(Locale.ROOT);
  }
}
