package ogp.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code git daemon} serving the bare repositories under a directory with push enabled: a Git
 * server in its own process, as in production. Served by JGit in the test's JVM instead, readers
 * can see a new pack before its index and fail the fetch.
 */
final class GitDaemon implements AutoCloseable {
  private final Process process;
  private final int port;

  private GitDaemon(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts it on a free loopback port and waits until it listens; its log goes to {@code
   * dir/git-daemon.log}.
   */
  static GitDaemon serve(Path dir) throws IOException, InterruptedException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                "git",
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
                "--port=" + port,
                "--base-path=" + dir,
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("git-daemon.log").toFile())
            .start();
    GitDaemon daemon = new GitDaemon(process, port);
    try {
      await("git daemon listens on " + port)
          .atMost(Duration.ofSeconds(30))
          .failFast(
              "git daemon exited; see " + dir.resolve("git-daemon.log"), () -> !process.isAlive())
          .until(() -> listens(port));
    } catch (RuntimeException | Error notListening) {
      daemon.close();
      throw notListening;
    }
    return daemon;
  }

  private static boolean listens(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  int port() {
    return port;
  }

  /**
   * The git:// URL of the bare repository {@code name} (e.g. fleet.git) under the served directory.
   */
  String url(String name) {
    return "git://127.0.0.1:" + port + "/" + name;
  }

  @Override
  public void close() throws InterruptedException {
    // `git daemon` runs git-core's git-daemon as its child: kill that, or it outlives the test; the
    // `git` parent then reaps it and exits by itself.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (!process.waitFor(10, TimeUnit.SECONDS))
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }
}
