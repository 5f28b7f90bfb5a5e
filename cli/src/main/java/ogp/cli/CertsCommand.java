package ogp.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.IssuedCertificate;
import ogp.reconciler.pki.PemFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ogp certs}: a private CA and certificates for a small fleet, as PEM files in one
 * directory: {@code ca.crt}/{@code ca.key}, {@code server.crt}/{@code server.key} and {@code
 * agent-<host-id>.crt}/{@code .key}. Keys are written with mode 0600. An existing CA is never
 * overwritten, because every certificate it signed would stop being trusted.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Creates a CA and TLS certificates for the agent link (and HTTPS).",
    subcommands = {CertsCommand.Init.class, CertsCommand.Server.class, CertsCommand.Agent.class})
final class CertsCommand implements Runnable {
  /** The one clock of this command: certificates' validity starts now by it. */
  private static final Clock CLOCK = Clock.systemUTC();

  static final String CA = "ca";

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: init, server or agent");
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = "Creates the CA (ca.crt, ca.key; valid 10 years) in DIR.")
  static final class Init implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        required = true,
        description = "Directory of the fleet's CA and certificates.")
    Path dir;

    @Option(
        names = "--name",
        defaultValue = "OGP fleet CA",
        description = "The CA's common name (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws IOException {
      if (Files.exists(dir.resolve(CA + ".crt")) || Files.exists(dir.resolve(CA + ".key"))) {
        throw new CommandFailure(
            "a CA already exists in "
                + dir
                + "; remove it first to start a new one"
                + " (every certificate it signed must then be issued again)");
      }
      CertificateAuthority ca = CertificateAuthority.create(name, CLOCK, new SecureRandom());
      write(dir, CA, ca.certificate());
      out(spec)
          .printf(
              "CA written: %s (share with agents: --tls-ca, server: --tls-client-ca), %s (keep secret)%n",
              dir.resolve(CA + ".crt"), dir.resolve(CA + ".key"));
      return 0;
    }
  }

  @Command(
      name = "server",
      mixinStandardHelpOptions = true,
      description =
          "Issues the server certificate (server.crt, server.key; valid 1 year) for the name agents dial.")
  static final class Server implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        required = true,
        description = "Directory holding the CA (see certs init).")
    Path dir;

    @Option(
        names = "--name",
        required = true,
        description = "DNS name agents use in --server, e.g. ogp.example.com.")
    String name;

    @Option(names = "--ip", description = "An IP address agents may dial instead; repeatable.")
    List<String> ips = List.of();

    @Override
    public Integer call() throws IOException {
      IssuedCertificate issued = issuing(() -> loadCa(dir).issueServer(name, ips));
      write(dir, "server", issued);
      out(spec)
          .printf(
              "server certificate for %s%s written: %s, %s (server: --tls-cert/--tls-key, or --https-cert/--https-key)%n",
              name,
              ips.isEmpty() ? "" : " " + ips,
              dir.resolve("server.crt"),
              dir.resolve("server.key"));
      return 0;
    }
  }

  @Command(
      name = "agent",
      mixinStandardHelpOptions = true,
      description =
          "Issues an agent's client certificate (agent-<host-id>.crt/.key; valid 1 year) for mutual TLS.")
  static final class Agent implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        required = true,
        description = "Directory holding the CA (see certs init).")
    Path dir;

    @Option(
        names = "--host-id",
        required = true,
        description = "The agent's --host-id; the server checks the Hello against it.")
    String hostId;

    @Override
    public Integer call() throws IOException {
      // The certificate names exactly the host id the agent's Hello claims, which must be a DNS
      // label; so it is also a safe file name that cannot walk out of the directory.
      AgentCommand.requireValidHostId(hostId);
      IssuedCertificate issued = issuing(() -> loadCa(dir).issueAgent(hostId));
      String file = "agent-" + hostId;
      write(dir, file, issued);
      out(spec)
          .printf(
              "agent certificate for host id %s written: %s, %s (agent: --tls-cert/--tls-key)%n",
              hostId, dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
      return 0;
    }
  }

  private static IssuedCertificate issuing(java.util.function.Supplier<IssuedCertificate> issue) {
    try {
      return issue.get();
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2);
    }
  }

  private static CertificateAuthority loadCa(Path dir) {
    Path certificate = dir.resolve(CA + ".crt");
    Path key = dir.resolve(CA + ".key");
    if (!Files.isReadable(certificate) || !Files.isReadable(key)) {
      throw new CommandFailure(
          "no CA in " + dir + "; run `ogp certs init --dir " + dir + "` first");
    }
    try {
      return CertificateAuthority.of(
          new IssuedCertificate(
              PemFiles.readCertificates(certificate).get(0), PemFiles.readPrivateKey(key)),
          CLOCK,
          new SecureRandom());
    } catch (IOException e) {
      throw new CommandFailure(e.getMessage());
    }
  }

  private static void write(Path dir, String name, IssuedCertificate issued) throws IOException {
    PemFiles.writePrivateKey(dir.resolve(name + ".key"), issued.privateKey());
    PemFiles.writeCertificate(dir.resolve(name + ".crt"), issued.certificate());
  }

  private static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }
}
