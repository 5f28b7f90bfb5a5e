package ogp.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.identity.Enroller;
import ogp.protocol.tls.CaHash;
import picocli.CommandLine.ArgGroup;
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
      description = "The server's agent endpoint, HOST:PORT (a name its certificate gives).")
  String server;

  @ArgGroup(multiplicity = "1")
  Token token;

  /** The join token, given or in a file: exactly one. */
  static final class Token {
    @Option(
        names = "--token",
        description = "A join token (ogp tokens create --kind join on the server).")
    String value;

    @Option(names = "--token-file", description = "A file holding the join token.")
    Path file;
  }

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
    int colon = server.lastIndexOf(':');
    int port;
    try {
      port = colon <= 0 ? -1 : Integer.parseInt(server.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new CommandFailure("--server must be HOST:PORT, got '" + server + "'", 2);
    }
    String host = server.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
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
      certificate = Enroller.enrol(new Enroller.Request(host, port, joinToken, pin, id, identity));
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
        id, server, pin, certificate.getNotAfter().toInstant(), identity.dir(), dataDir);
    out.flush();
    return 0;
  }

  private String joinToken() throws IOException {
    if (token.value != null) return token.value.strip();
    if (!Files.isReadable(token.file)) {
      throw new CommandFailure("cannot read the join token file " + token.file);
    }
    return Files.readString(token.file, StandardCharsets.US_ASCII).strip();
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
