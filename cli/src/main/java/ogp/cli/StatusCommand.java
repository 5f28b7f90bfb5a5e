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
 * {@code ogp status}: one line per app and host with desired and running version, sync and health.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows every app on every host: desired/actual version, sync, health.")
final class StatusCommand implements Callable<Integer> {
  @Mixin ApiClient api;
  @Spec CommandSpec spec;

  @Option(
      names = "--output",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Override
  public Integer call() {
    if (!"table".equals(output) && !"json".equals(output))
      throw new CommandFailure("--output must be table or json", 2);
    PrintWriter out = spec.commandLine().getOut();
    JsonNode apps = api.get("/api/v1/apps");
    if ("json".equals(output)) {
      out.println(apps.toPrettyString());
      out.flush();
      return 0;
    }
    JsonNode revision = api.get("/api/v1/revision");
    out.println(
        "revision " + text(revision.get("revision")) + "  " + text(revision.get("subject")));
    if (revision.hasNonNull("invalid")) {
      JsonNode bad = revision.get("invalid");
      out.println(
          "invalid  "
              + text(bad.get("revision"))
              + " by "
              + text(bad.get("author"))
              + " is not applied:");
      bad.get("errors").forEach(e -> out.println("  " + e.asText()));
    }
    if (revision.hasNonNull("held")) {
      JsonNode held = revision.get("held");
      out.println(
          "held     "
              + text(held.get("revision"))
              + " by "
              + text(held.get("author"))
              + " is not applied: it "
              + text(held.get("reason"))
              + "; an admin applies it with: ogp confirm "
              + text(held.get("revision")));
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"APP", "HOST", "DESIRED", "RUNNING", "SYNC", "HEALTH", "ERROR"});
    for (JsonNode app : apps) {
      String desired =
          app.get("desiredVersion").asText()
              + ("running".equals(app.get("desiredState").asText())
                  ? ""
                  : " (" + app.get("desiredState").asText() + ")");
      if (app.get("hosts").isEmpty()) {
        rows.add(
            new String[] {
              app.get("app").asText(),
              "-",
              desired,
              "-",
              app.get("sync").asText(),
              app.get("health").asText(),
              whyNoHost(text(app.get("placement")))
            });
      }
      for (JsonNode host : app.get("hosts")) {
        List<String> running = new ArrayList<>();
        host.get("containers")
            .forEach(c -> running.add(c.get("version").asText() + "/" + c.get("state").asText()));
        rows.add(
            new String[] {
              app.get("app").asText(),
              host.get("host").asText(),
              desired,
              running.isEmpty() ? "-" : String.join(",", running),
              host.get("sync").asText(),
              host.get("health").asText(),
              text(host.get("lastError"))
            });
      }
    }
    print(rows, Ansi.forStdout(), out);
    for (JsonNode app : apps) {
      JsonNode rollout = app.path("rollout");
      if (rollout.isObject() && !"Complete".equals(rollout.path("phase").asText())) {
        out.println(
            "rollout  "
                + app.get("app").asText()
                + ": "
                + rollout.path("phase").asText()
                + ", "
                + rollout.path("message").asText());
      }
    }
    out.flush();
    return 0;
  }

  /**
   * Why an app has no host row: its selector matches no connected host's labels, or it lists none.
   */
  static String whyNoHost(String placement) {
    if (placement.startsWith("selector: "))
      return "no host matches selector " + placement.substring("selector: ".length());
    return placement.isEmpty() ? "" : "placed on no host (" + placement + ")";
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? "" : node.asText();
  }

  /**
   * SYNC and HEALTH (columns 4 and 5) are coloured; padding is computed on the plain text so
   * columns align.
   */
  private static void print(List<String[]> rows, Ansi ansi, PrintWriter out) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows)
      for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
    for (int row = 0; row < rows.size(); row++) {
      String[] r = rows.get(row);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String cell =
            row > 0 && (i == 4 || i == 5)
                ? ansi.status(r[i])
                : row > 0 && i == 6 ? ansi.red(r[i]) : r[i];
        line.append(cell).append(" ".repeat(width[i] + 2 - r[i].length()));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
