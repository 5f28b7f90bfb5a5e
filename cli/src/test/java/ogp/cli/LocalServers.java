package ogp.cli;

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
}
