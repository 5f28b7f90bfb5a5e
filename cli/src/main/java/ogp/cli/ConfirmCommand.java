package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ogp confirm REVISION}: an admin applies the revision the server holds because it would
 * remove many of the fleet's containers ({@code ogp status} shows it). Exactly that commit is
 * applied; if a newer commit has replaced the hold, the server refuses (exit 1) and nothing
 * changes.
 */
@Command(
    name = "confirm",
    mixinStandardHelpOptions = true,
    description =
        "Applies a revision the server holds because it would remove many containers (admin).")
final class ConfirmCommand implements Callable<Integer> {
  @Mixin ApiClient api;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "REVISION",
      description = "The full sha of the held revision, as ogp status shows it.")
  String revision;

  @Override
  public Integer call() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("revision", revision.strip());
    JsonNode result = api.post("/api/v1/revision/confirm", body.toString());
    spec.commandLine()
        .getOut()
        .println("confirmed " + result.path("revision").asText() + "; it is being applied");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
