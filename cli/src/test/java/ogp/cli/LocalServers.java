package ogp.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;

/** A server of a test: a repository with one app, and settings with ephemeral ports. */
final class LocalServers {
  private LocalServers() {}

  /** A file:// repository in {@code tmp/example-repo} with app web; made once per directory. */
  static GitRemote oneAppRepo(Path tmp) throws Exception {
    Path repo = tmp.resolve("example-repo");
    if (!Files.exists(repo)) {
      try (TestRepo r = TestRepo.create(repo)) {
        r.commit(
            "Example",
            Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\n"));
      }
    }
    return GitRemote.of(repo.toUri().toString(), "main", "");
  }

  /** Plain HTTP and TCP on 127.0.0.1, ephemeral ports, polling once an hour. */
  static ServerProcess.Settings settings(GitRemote remote, Path dataDir) {
    return new ServerProcess.Settings(
        remote, dataDir, Duration.ofHours(1), "127.0.0.1", 0, 0, Duration.ofSeconds(15), null);
  }

  /**
   * A JSON request to the server's HTTP port on 127.0.0.1, with a bearer token unless it is null
   * and no body when {@code body} is empty.
   */
  static HttpResponse<String> send(
      HttpClient http, ServerProcess server, String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) request.header("Authorization", "Bearer " + token);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
