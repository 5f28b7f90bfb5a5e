package ogp.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import ogp.reconciler.agents.CommandFence;
import ogp.reconciler.api.ClusterStatus;
import ogp.reconciler.autorollback.RevertClaims;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.source.GitRemote;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a standby's takeover fast. A JVM runs the server's code slowly the first time (class
 * loading and first compilation of JGit, the reconciler, Thymeleaf and Jetty): a cold {@link
 * ServerProcess} took 5.5 s to start on a test machine, the same one warm 0.15-0.2 s. A takeover
 * that pays that once would miss the 2 s a graceful failover may take, so a standby runs the server
 * once ahead: a throwaway {@code ServerProcess} on a scratch data dir and a scratch repository with
 * one app, loopback ports the system picks, a fence that never commands, its own in-memory revert
 * claims and nothing shared; it answers one portal page and one API read, and is closed and
 * deleted. Its log lines come between two lines that say so. It runs on its own low-priority
 * thread, so a takeover or a stop never waits for it; a replica elected before it ran skips it.
 */
final class ServerWarmUp {
  private static final Logger log = LoggerFactory.getLogger(ServerWarmUp.class);

  /** A fence that never commands: the warm-up has no agents and must never send a frame. */
  private static final CommandFence NEVER =
      new CommandFence() {
        @Override
        public long epoch() {
          return 1;
        }

        @Override
        public boolean mayCommand() {
          return false;
        }
      };

  private ServerWarmUp() {}

  /** Runs the throwaway server once; a failure is logged, never thrown (it only costs time). */
  static void run() {
    long start = System.nanoTime();
    log.info(
        "warming up: a throwaway server on loopback with a scratch data dir (lines until done)");
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("ogp-warm-up-");
      GitRemote remote = GitRemote.of(repository(scratch.resolve("repo")).toString(), "main", "");
      ServerProcess.Settings settings =
          new ServerProcess.Settings(
                  remote,
                  scratch.resolve("data"),
                  Duration.ofHours(1),
                  "127.0.0.1",
                  0,
                  0,
                  Duration.ofSeconds(15),
                  null)
              .withReplication(
                  new ServerProcess.Settings.Replication(
                      NEVER,
                      RevertClaims.inMemory(),
                      () -> ClusterStatus.single("warm-up", "127.0.0.1:0", "http://127.0.0.1:0"),
                      new ClusterMeters(() -> false, () -> 0, () -> 0),
                      ParseCache.none(),
                      null));
      try (ServerProcess server = new ServerProcess(settings)) {
        server.notReadyAfterFirstFetch(Duration.ofSeconds(10));
        exercise(server);
      }
      log.info("warming up: done in {} ms", (System.nanoTime() - start) / 1_000_000);
    } catch (Exception | LinkageError e) {
      log.warn("warming up failed (a takeover may start slower): {}", e.toString());
    } finally {
      if (scratch != null) delete(scratch);
    }
  }

  /** A repository with one valid app placed on a host that never connects. */
  private static Path repository(Path dir) throws IOException, GitAPIException {
    Files.createDirectories(dir.resolve("apps"));
    Files.writeString(
        dir.resolve("apps/warm-up.yaml"),
        "app: warm-up\nimage: warm-up\nversion: \"1\"\nhosts: [warm-up]\n",
        StandardCharsets.UTF_8);
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      PersonIdent ogp = new PersonIdent("ogp", "ogp@localhost");
      git.commit().setMessage("Warm-up").setAuthor(ogp).setCommitter(ogp).call();
    }
    return dir;
  }

  /** A portal page and an API read: templates, JSON and the request path run once. */
  private static void exercise(ServerProcess server) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + server.httpPort();
    for (String path : List.of("/login", "/api/v1/apps", "/api/v1/cluster")) {
      try {
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + server.adminToken().reveal())
                .build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException | RuntimeException e) {
        log.debug("warm-up request {} failed: {}", path, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // a leftover in the temp dir; the next warm-up uses a new one
                }
              });
    } catch (IOException e) {
      log.debug("cannot delete the warm-up dir {}: {}", dir, e.toString());
    }
  }
}
