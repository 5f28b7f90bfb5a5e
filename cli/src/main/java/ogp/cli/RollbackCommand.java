package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ogp rollback APP [--to COMMIT]}: the server commits a revert of the commit that brought
 * the app's current version (or of COMMIT), limited to the app's own document of its file and to
 * what the token's role may change, and applies it.
 */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = "Asks the server to roll an app back with a revert commit.")
final class RollbackCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Parameters(index = "0", paramLabel = "APP", description = "The app's name.")
  String app;

  @Option(
      names = "--to",
      description = "The commit to revert (default: the one that brought the current version).")
  String commit;

  @Override
  public Integer call() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (commit != null && !commit.isBlank()) body.put("commit", commit.strip());
    JsonNode result =
        api.post(
            "/api/v1/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/rollback",
            body.toString());
    if (result.path("commit").isNull() || result.path("commit").isMissingNode()) {
      System.out.println("nothing to roll back: " + result.path("message").asText());
    } else {
      System.out.println(result.path("commit").asText());
      System.err.println("committed: " + result.path("subject").asText());
    }
    return 0;
  }
}
