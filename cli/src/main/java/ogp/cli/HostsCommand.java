package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import ogp.protocol.HostIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ogp hosts release|label}: the operator's hold on host identities. A host id belongs to the
 * agent identity that first said Hello with it; {@code release} frees it for the next agent, {@code
 * label} sets the labels placement uses (an agent's own {@code --label}s count only when it binds),
 * {@code revoke} refuses the host's agent and its certificate's key from now on. All need an admin
 * token.
 */
@Command(
    name = "hosts",
    mixinStandardHelpOptions = true,
    description = "Manages host identities and their labels (admin).",
    subcommands = {HostsCommand.Release.class, HostsCommand.Label.class, HostsCommand.Revoke.class})
final class HostsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new CommandFailure(
        "name a subcommand: ogp hosts release HOST | ogp hosts label HOST | ogp hosts revoke HOST",
        2);
  }

  /** A host id for a URL path; refused (exit 2) unless it is a DNS label, like the server does. */
  static String hostPath(String host) {
    HostIds.problem(host)
        .ifPresent(
            problem -> {
              throw new CommandFailure(problem, 2);
            });
    return "/api/v1/hosts/" + URLEncoder.encode(host, StandardCharsets.UTF_8);
  }

  @Command(
      name = "release",
      mixinStandardHelpOptions = true,
      description =
          "Frees HOST from the agent identity that holds it: the next agent that says Hello with"
              + " it binds it (and its labels).")
  static final class Release implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host id.")
    String host;

    @Override
    public Integer call() {
      api.post(hostPath(host) + "/release", "{}");
      System.out.println(
          "released " + host + "; the next agent to connect as " + host + " binds it");
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description =
          "Refuses HOST's agent from now on: its session is closed, its Hello, renewal and"
              + " enrolment are refused, and its certificate's key for good (also after release)."
              + " Its containers are left running.")
  static final class Revoke implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host id.")
    String host;

    @Override
    public Integer call() {
      api.post(hostPath(host) + "/revoke", "{}");
      System.out.println(
          "revoked "
              + host
              + "; its containers keep running. To let a new agent take the name: ogp hosts release "
              + host
              + ", then enrol it");
      return 0;
    }
  }

  @Command(
      name = "label",
      mixinStandardHelpOptions = true,
      description = "Sets (k=v) and removes (--remove k) the labels placement uses for HOST.")
  static final class Label implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host id.")
    String host;

    @Parameters(index = "1..*", paramLabel = "k=v", description = "Labels to set.")
    List<String> labels = List.of();

    @Option(names = "--remove", paramLabel = "KEY", description = "A label to remove; repeatable.")
    List<String> remove = List.of();

    @Override
    public Integer call() {
      Map<String, String> set = AgentCommand.labels(labels, "a label");
      if (set.isEmpty() && remove.isEmpty()) {
        throw new CommandFailure("give labels to set (k=v) and/or --remove KEY", 2);
      }
      ObjectNode body = JSON.createObjectNode();
      set.forEach(body.putObject("set")::put);
      remove.forEach(body.putArray("remove")::add);
      JsonNode answer = api.put(hostPath(host) + "/labels", body.toString());
      System.out.println(host + " labels: " + answer.path("labels"));
      return 0;
    }
  }
}
