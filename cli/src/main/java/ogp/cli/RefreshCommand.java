package ogp.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ogp refresh}: the server fetches the repository now instead of at its next poll. */
@Command(
    name = "refresh",
    mixinStandardHelpOptions = true,
    description = "Asks the server to fetch the repository now.")
final class RefreshCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Override
  public Integer call() {
    api.post("/api/v1/refresh", "{}");
    System.out.println("refresh requested");
    return 0;
  }
}
