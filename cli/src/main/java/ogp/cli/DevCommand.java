package ogp.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import ogp.agent.HostAgent;
import ogp.reconciler.source.GitRemote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ogp dev}: reconciler, HTTP server and one local agent in one process, following the
 * example desired state (or --repo). Polls every second so a commit shows up at once.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Runs everything on this machine: reconciler, HTTP API, portal and a local agent, on the example desired state.")
final class DevCommand implements Callable<Integer> {
  /**
   * Not {@link RepositoryOptions}: it stands in for the dev repository, followed at main and its
   * root (no --branch, --path).
   */
  @Option(
      names = "--repo",
      description =
          "Repository to follow instead of the dev repository made from example-desired-state/.")
  String repo;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--agent-port",
      defaultValue = "7070",
      description = "Agent port (default: ${DEFAULT-VALUE}).")
  int agentPort;

  @Option(
      names = "--data-dir",
      defaultValue = ".ogp",
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--host-id",
      defaultValue = "local",
      description = "Host id of the local agent (default: ${DEFAULT-VALUE}).")
  String hostId;

  @Option(
      names = "--webhook-secret-file",
      description =
          "Webhook secrets, one per line (default: <data-dir>/webhook-secret, generated).")
  Path webhookSecretFile;

  @Option(
      names = "--docker-host",
      defaultValue = "unix:///var/run/docker.sock",
      description = "Docker Engine API of this machine (default: ${DEFAULT-VALUE}).")
  String dockerHost;

  @Option(
      names = "--label",
      description = "A label k=v of the local agent, to try selector placement; repeatable.")
  List<String> labels = List.of();

  @Mixin RepositoryOptions.GitTimeout git;

  /**
   * The user of {@code ogp dev} is its admin: the local agent's {@code --label}s of this run are
   * the labels bound to its host id (a server binds an agent's labels only on its first Hello).
   */
  private ServerProcess withDevLabels(ServerProcess server, Map<String, String> labels) {
    server
        .agents()
        .boundLabels(hostId)
        .filter(bound -> !bound.equals(labels))
        .ifPresent(
            bound -> {
              Set<String> gone = new HashSet<>(bound.keySet());
              gone.removeAll(labels.keySet());
              server.agents().relabel(hostId, labels, gone);
            });
    return server;
  }

  @Override
  public Integer call() throws Exception {
    AgentCommand.requireValidHostId(hostId);
    Map<String, String> labelMap = AgentCommand.labels(labels);
    Path devRepo = null;
    String url = repo;
    if (url == null || url.isBlank()) {
      devRepo =
          DevRepository.ensure(
              dataDir.resolve("dev-repo").toAbsolutePath(), DevRepository.exampleDir());
      url = devRepo.toString();
    }
    GitRemote remote = RepositoryOptions.remote(url, "main", "");
    var settings =
        new ServerProcess.Settings(
                remote,
                dataDir,
                Duration.ofSeconds(1),
                "127.0.0.1",
                httpPort,
                agentPort,
                Duration.ofSeconds(15),
                webhookSecretFile)
            .withGitTimeout(git.gitTimeout);
    try (ShutdownSignal shutdown = new ShutdownSignal();
        ServerProcess server = withDevLabels(new ServerProcess(settings), labelMap);
        HostAgent agent =
            new HostAgent(
                HostAgent.Settings.of(
                    "127.0.0.1",
                    server.agentPort(),
                    hostId,
                    labelMap,
                    server.joinToken().reveal(),
                    URI.create(dockerHost),
                    null,
                    dataDir.resolve("agent")))) {
      String base = "http://127.0.0.1:" + server.httpPort() + "/";
      server
          .notReadyAfterFirstFetch(Duration.ofSeconds(15))
          .ifPresent(
              why ->
                  System.err.println(
                      "ogp dev cannot read "
                          + remote.redactedUrl()
                          + " yet: "
                          + why
                          + " (it tries again every second)"));
      System.out.println();
      System.out.println("OGP dev is running.");
      System.out.println("  portal and API:  " + base + "   (API: " + base + "api/v1/apps)");
      System.out.println(
          "  admin token:     "
              + server.adminToken().reveal()
              + "   (also in "
              + server.adminTokenFile()
              + ")");
      System.out.println("  login:           user 'admin', password: the admin token");
      if (devRepo != null) {
        System.out.println(
            "  dev repository:  " + devRepo + "   (edit, git commit, see it deployed)");
      } else {
        System.out.println("  following:       " + url);
      }
      System.out.println(
          "  local agent:     host '"
              + hostId
              + "' on "
              + dockerHost
              + (labelMap.isEmpty() ? "" : ", labels " + labelMap));
      System.out.println(
          "Press Ctrl-C to stop; containers keep running and are adopted on the next start.");
      System.out.println();
      shutdown.await();
    }
    return 0;
  }
}
