package ogp.cli;

import static ogp.cli.Holds.holdsFor;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.github.dockerjava.api.model.Container;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import ogp.agent.HostAgent;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the server process right after it sent a host a new assignment, while the
 * agent replaces the container: the agent finishes what it was told and then keeps it without a
 * server; a commit made while the server is down is applied once the server process is restarted on
 * the same ports and data dir.
 */
class ServerKillFaultTest extends FaultTest {
  private int httpPort;
  private int agentPort;
  private Path dataDir;
  private TestRepo repo;

  @Test
  void serverKilledMidDeployLeavesTheAgentsContainersAndTheRestartedServerConvergesToTheLastCommit()
      throws Exception {
    String image = localImage("v1");
    localImage("v2");
    localImage("v3");
    repo = repoWithApp(image, SLOW_STOP);
    httpPort = freePort();
    agentPort = freePort();
    dataDir = tmp.resolve("server");
    JavaProcess server = startServerProcess("server-1.log");
    Path joinToken = dataDir.resolve(SecretToken.JOIN_TOKEN_FILE);
    await("the server writes its join token").atMost(CONVERGE).until(() -> Files.exists(joinToken));
    HostAgent agent = startAgent(agentPort, Files.readString(joinToken).strip());
    awaitOneRunning("v1");
    Api api = Api.of(httpPort, dataDir);
    Sampler sampler = sample();

    String v2 = commitVersion(repo, image, "v2");
    api.refresh();
    await("the agent got the v2 assignment")
        .atMost(CONVERGE)
        .until(() -> agent.assignment().map(a -> a.getRevision().equals(v2)).orElse(false));
    server.kill();
    long killedAt = System.nanoTime();
    await("the agent notices the server is gone").atMost(CONVERGE).until(() -> !agent.connected());
    long detectMs = msSince(killedAt);

    // Without a server the agent completes the assignment it holds (stopping v1 takes its 10 s
    // grace) ...
    Container kept = awaitOneRunning("v2");
    String startedAt = startedAt(kept.getId());
    // ... and then keeps it: several re-converge rounds (one a second) without a server change
    // nothing.
    holdsFor(
        Duration.ofSeconds(3),
        () ->
            assertEquals(
                List.of(kept.getId()),
                running().stream().map(Container::getId).toList(),
                "kept without a server: " + describe()));
    assertEquals(startedAt, startedAt(kept.getId()), "not restarted while the server was down");

    String v3 = commitVersion(repo, image, "v3");
    startServerProcess("server-2.log");
    long restartedAt = System.nanoTime();
    awaitConverged(api, "v3", v3);
    long convergeMs = msSince(restartedAt);
    await("the restarted server applied the last commit")
        .atMost(CONVERGE)
        .until(() -> v3.equals(api.tryGet("/api/v1/revision").path("revision").asText()));
    assertFalse(
        api.events("HostConnected", e -> hostId.equals(e.path("host").asText())).isEmpty(),
        "the restarted server records the agent's reconnect");
    sampler.assertNeverTwoRunning();
    assertEquals(Set.of("v1", "v2", "v3"), sampler.versionsSeenRunning());
    report("server kill -9 mid-deploy", detectMs, convergeMs);
  }

  private JavaProcess startServerProcess(String log) throws Exception {
    JavaProcess server =
        closeAfterTest(
            JavaProcess.ogp(
                tmp.resolve(log),
                "server",
                "--repo",
                repo.path().toString(),
                "--branch",
                "main",
                "--poll",
                "1h",
                "--bind",
                "127.0.0.1",
                "--http-port",
                Integer.toString(httpPort),
                "--agent-port",
                Integer.toString(agentPort),
                "--data-dir",
                dataDir.toString(),
                "--lost-grace",
                "15s"));
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertNotNull(
                    httpGet("http://127.0.0.1:" + httpPort + "/healthz"),
                    () -> "the server process answers: " + server.output()));
    return server;
  }
}
