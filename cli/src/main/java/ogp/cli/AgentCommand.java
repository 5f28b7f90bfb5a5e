package ogp.cli;

import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import ogp.agent.HostAgent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ogp agent}: the per-host agent, until interrupted. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Runs the agent of one Docker host: connects to the server and converges the host's containers.")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--server", required = true, defaultValue = "${env:OGP_SERVER}", description = "Server agent endpoint, HOST:PORT.")
  String server;

  @Option(names = "--host-id", required = true, defaultValue = "${env:OGP_HOST_ID}", description = "This host's id, as used in hosts: lists.")
  String hostId;

  @Option(names = "--label", description = "A label k=v for selector placement; repeatable.")
  List<String> labels = List.of();

  @Option(names = "--join-token-file", defaultValue = "${env:OGP_JOIN_TOKEN_FILE}",
      description = "File holding the server's join token (<server data dir>/join-token).")
  Path joinTokenFile;

  @Option(names = "--docker-host", defaultValue = "${env:OGP_DOCKER_HOST:-unix:///var/run/docker.sock}",
      description = "Docker Engine API (default: ${DEFAULT-VALUE}).")
  String dockerHost;

  @Option(names = "--registry-auth-file", defaultValue = "${env:OGP_REGISTRY_AUTH_FILE}",
      description = "Registry credentials in Docker's config.json format ({\"auths\": {...}}).")
  Path registryAuthFile;

  @Option(names = "--data-dir", defaultValue = "${env:OGP_DATA_DIR:-.ogp-agent}", description = "Agent state (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    int colon = server.lastIndexOf(':');
    if (colon <= 0 || colon == server.length() - 1) throw new CommandFailure("--server must be HOST:PORT, got '" + server + "'", 2);
    int port;
    try {
      port = Integer.parseInt(server.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CommandFailure("--server must be HOST:PORT, got '" + server + "'", 2);
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String label : labels) {
      int eq = label.indexOf('=');
      if (eq <= 0) throw new CommandFailure("--label must be k=v, got '" + label + "'", 2);
      labelMap.put(label.substring(0, eq), label.substring(eq + 1));
    }
    String token = "";
    if (joinTokenFile != null) {
      if (!Files.isReadable(joinTokenFile)) throw new CommandFailure("cannot read the join token file " + joinTokenFile);
      token = Files.readString(joinTokenFile).strip();
    }
    try (ShutdownSignal shutdown = new ShutdownSignal();
        HostAgent agent = new HostAgent(HostAgent.Settings.of(
        server.substring(0, colon), port, hostId, labelMap, token, URI.create(dockerHost), registryAuthFile, dataDir))) {
      shutdown.await();
    }
    return 0;
  }
}
