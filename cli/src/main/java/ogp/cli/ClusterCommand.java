package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ogp cluster}: the replicas of the server ({@code GET /api/v1/cluster}, any replica
 * answers), who leads at which epoch, and the answering replica's lease age. A server without
 * {@code --etcd} shows itself, leading at epoch 0.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Shows the server's replicas, the leader, its epoch and the lease age.")
final class ClusterCommand implements Callable<Integer> {
  @Mixin ApiClient api;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the API's JSON answer instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    JsonNode cluster = api.get("/api/v1/cluster");
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(cluster.toPrettyString());
      out.flush();
      return 0;
    }
    JsonNode leader = cluster.path("leader");
    out.println("mode       " + cluster.path("mode").asText());
    out.println(
        "leader     "
            + (leader.isObject()
                ? leader.path("id").asText() + " at epoch " + leader.path("epoch").asLong()
                : "none elected"));
    out.println("answered   by " + cluster.path("self").asText());
    JsonNode lease = cluster.path("leaseAgeMs");
    if (lease.isNumber()) out.println("lease age  " + lease.asLong() + " ms");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"MEMBER", "LEADER", "AGENT ADDRESS", "URL"});
    for (JsonNode m : cluster.path("members"))
      rows.add(
          new String[] {
            m.path("id").asText(),
            m.path("leader").asBoolean() ? "*" : "",
            m.path("agentAddress").asText(),
            m.path("httpUrl").asText()
          });
    out.println();
    print(rows, out);
    out.flush();
    return 0;
  }

  private static void print(List<String[]> rows, PrintWriter out) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows)
      for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++)
        line.append(r[i]).append(" ".repeat(width[i] + 2 - r[i].length()));
      out.println(line.toString().stripTrailing());
    }
  }
}
