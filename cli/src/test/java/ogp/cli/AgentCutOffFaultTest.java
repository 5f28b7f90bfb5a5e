package ogp.cli;

import static ogp.cli.Holds.holdsFor;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.List;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;

/**
 * An agent cut off from the server (a relay between them closes every connection and accepts none)
 * for longer than the lost grace: the server marks the host lost and its app Unknown, the agent
 * keeps its containers, and after the cut it reconnects and applies what was committed meanwhile.
 * The cut lasts a minute (issue 9) with the default 15 s lost grace.
 */
class AgentCutOffFaultTest extends FaultTest {
  private static final Duration LOST_GRACE = Duration.ofSeconds(15);
  private static final Duration CUT = Duration.ofSeconds(60);

  @Test
  void agentCutOffIsLostWithItsContainersUntouchedAndConvergesAfterReconnecting() throws Exception {
    String image = localImage("v1");
    localImage("v2");
    TestRepo repo = repoWithApp(image, QUICK_STOP);
    ServerProcess server = startServer(repo.path().toString(), 0, LOST_GRACE);
    Api api = Api.of(server);
    TcpRelay relay = closeAfterTest(TcpRelay.open(freePort(), server.agentPort()));
    startAgent(relay.port(), server.joinToken().reveal());
    Container running = awaitOneRunning("v1");
    String startedAt = startedAt(running.getId());
    awaitAppStatus(api, "/health", "Healthy", "Healthy first:");

    relay.cut();
    long cutAt = System.nanoTime();
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertFalse(
                    api.events("HostLost", e -> hostId.equals(e.path("host").asText())).isEmpty(),
                    () -> "a HostLost event: " + api.get("/api/v1/hosts")));
    long detectMs = msSince(cutAt);
    assertEquals("lost", api.hostStatus(hostId));
    awaitAppStatus(api, "/health", "Unknown", "the app is Unknown:");
    String v2 = commitVersion(repo, image, "v2");
    api.refresh();
    // Hold the cut; the agent keeps re-converging its last assignment and retrying the connection.
    holdsFor(
        CUT.minusNanos(System.nanoTime() - cutAt),
        () ->
            assertEquals(
                List.of(running.getId()),
                running().stream().map(Container::getId).toList(),
                "untouched during the cut: " + describe()));
    assertEquals(startedAt, startedAt(running.getId()), "not restarted during the cut");
    int connectsBefore =
        api.events("HostConnected", e -> hostId.equals(e.path("host").asText())).size();

    relay.open();
    long reopenedAt = System.nanoTime();
    awaitConverged(api, "v2", v2);
    long convergeMs = msSince(reopenedAt);
    assertEquals("connected", api.hostStatus(hostId));
    assertTrue(
        api.events("HostConnected", e -> hostId.equals(e.path("host").asText())).size()
            > connectsBefore,
        "the reconnect is an event");
    report(
        "agent cut off from the server ("
            + CUT.toSeconds()
            + " s, grace "
            + LOST_GRACE.toSeconds()
            + " s)",
        detectMs,
        convergeMs);
  }
}
