package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the agent process while it replaces a container (the old one is being
 * stopped): the restarted agent adopts what it finds and completes the replacement, and at no point
 * do two containers of the instance run.
 */
class AgentKillFaultTest extends FaultTest {
  private ServerProcess server;

  @Test
  void agentKilledMidReplacementIsCompletedByTheRestartedAgentWithNeverTwoContainersRunning()
      throws Exception {
    String image = localImage("v1");
    localImage("v2");
    TestRepo repo = repoWithApp(image, SLOW_STOP);
    server = startServer(repo.path().toString(), 0, Duration.ofSeconds(15));
    Api api = Api.of(server);
    JavaProcess agent = startAgentProcess("agent-1.log");
    Container v1 = awaitOneRunning("v1");
    Sampler sampler = sample();

    String v2 = commitVersion(repo, image, "v2");
    api.refresh();
    // The stop of v1 takes the 10 s grace: the agent is killed inside it.
    await("the agent starts the replacement")
        .atMost(CONVERGE)
        .until(agent::output, output -> output.contains("StopContainer"));
    agent.kill();
    long killedAt = System.nanoTime();
    await("the server notices the agent is gone")
        .atMost(CONVERGE)
        .until(() -> !"connected".equals(api.hostStatus(hostId)));
    long detectMs = msSince(killedAt);
    assertFalse(
        api.events("HostDisconnected", e -> hostId.equals(e.path("host").asText())).isEmpty(),
        "the loss is an event");
    assertTrue(
        containers().stream().anyMatch(c -> c.getId().equals(v1.getId())),
        "the half-replaced old container is still there: " + describe());

    startAgentProcess("agent-2.log");
    long restartedAt = System.nanoTime();
    awaitConverged(api, "v2", v2);
    long convergeMs = msSince(restartedAt);
    sampler.assertNeverTwoRunning();
    report("agent kill -9 mid-replacement", detectMs, convergeMs);
  }

  private JavaProcess startAgentProcess(String log) throws Exception {
    return closeAfterTest(
        JavaProcess.start(
            tmp.resolve(log),
            ScopedAgentMain.class.getName(),
            "127.0.0.1",
            Integer.toString(server.agentPort()),
            hostId,
            server.joinTokenFile().toString(),
            tmp.resolve("agent").toString(),
            testId));
  }
}
