package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A restart of {@code dockerd} under a running agent: the engine stops every container, the agent
 * reports the engine unreachable, and once the engine is back the container runs again (its restart
 * policy, or the agent's periodic re-converge) without any commit.
 *
 * <p>It stops the one engine of the machine, which every other test run shares, so it runs only
 * with {@code OGP_FAULT_DOCKERD=1}: {@code .ci/run} runs it as a separate step after the whole
 * build, alone. It starts dockerd again the way {@code .ci/services} does.
 */
class DockerdRestartFaultTest extends FaultTest {
  private static final Path DOCKER_PID = Path.of("/var/run/docker.pid");

  @Test
  void dockerdRestartIsReportedAndTheAgentsContainerRunsAgainWithoutACommit() throws Exception {
    Assumptions.assumeTrue(
        "1".equals(System.getenv("OGP_FAULT_DOCKERD")),
        "restarts the shared Docker engine: only with OGP_FAULT_DOCKERD=1, run alone by .ci/run");
    String image = localImage("v1");
    TestRepo repo = repoWithApp(image, QUICK_STOP);
    ServerProcess server = startServer(repo.path().toString(), 0, Duration.ofSeconds(15));
    Api api = Api.of(server);
    startAgent(server.agentPort(), server.joinToken().reveal());
    Container before = awaitOneRunning("v1");
    awaitAppStatus(api, "/health", "Healthy", "Healthy first:");

    stopDockerd();
    long stoppedAt = System.nanoTime();
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertFalse(
                    hostLastError(api).isEmpty(),
                    () -> "the agent reports the engine unreachable: " + api.get("/api/v1/hosts")));
    long detectMs = msSince(stoppedAt);
    String reported = hostLastError(api);

    startDockerd();
    long backAt = System.nanoTime();
    Container after = awaitOneRunning("v1");
    long convergeMs = msSince(backAt);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertTrue(
                    hostLastError(api).isEmpty()
                        && "Synced".equals(api.app(app).path("sync").asText()),
                    () -> "Synced with no host error: " + api.app(app)));
    boolean sameContainer = before.getId().equals(after.getId());
    System.out.printf(
        "dockerd restart: engine error reported as '%s'; container %s%n",
        reported,
        sameContainer ? "restarted by its restart policy (same id)" : "recreated by the agent");
    report("dockerd restart", detectMs, convergeMs);
  }

  private String hostLastError(Api api) {
    for (var h : api.get("/api/v1/hosts")) {
      if (hostId.equals(h.path("host").asText())) return h.path("lastError").asText("");
    }
    return "";
  }

  /** SIGTERM to the daemon by its pid file (not by name), waiting until it is gone. */
  private static void stopDockerd() throws Exception {
    long pid = Long.parseLong(Files.readString(DOCKER_PID).strip());
    ProcessHandle dockerd =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("no dockerd with pid " + pid));
    assertTrue(dockerd.destroy(), "SIGTERM sent to dockerd " + pid);
    dockerd.onExit().get(60, TimeUnit.SECONDS);
  }

  /**
   * As .ci/services: dockerd in the background, in its own session so it outlives this JVM, then
   * wait for the engine.
   */
  private static void startDockerd() throws Exception {
    Process launcher =
        new ProcessBuilder("bash", "-c", "setsid nohup dockerd >>/var/log/ogp-dockerd.log 2>&1 &")
            .inheritIO()
            .start();
    assertEquals(0, launcher.waitFor(), "dockerd launched");
    await("dockerd answers again (see /var/log/ogp-dockerd.log)")
        .atMost(Duration.ofSeconds(60))
        .until(DockerdRestartFaultTest::engineAnswers);
  }

  private static boolean engineAnswers() {
    try {
      Process info =
          new ProcessBuilder("docker", "info")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return info.waitFor(10, TimeUnit.SECONDS) && info.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
