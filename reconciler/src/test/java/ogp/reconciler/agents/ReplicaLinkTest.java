package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.agent.replicas.LeaderEpoch;
import ogp.agent.replicas.ServerAddress;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The real agent link against replicas in one JVM over 127.0.0.1: a standby's {@link
 * RedirectingAgentPort} and a leader's {@link AgentServer} with a {@link SettableFence}. Covers the
 * agent's part of fencing: following redirects only within its list, refusing stale epochs, and
 * keeping the highest epoch in its data dir.
 */
class ReplicaLinkTest {
  private static final String TOKEN = "replica-token";

  @TempDir Path dataDir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<Assignment> applied = new CopyOnWriteArrayList<>();
  private final AgentIdentity identity = new AgentIdentity("h1", Map.of(), "test", "27.0");
  private final AtomicReference<Optional<LeaderRedirect>> leaderSeen =
      new AtomicReference<>(Optional.empty());
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger linkLog = (Logger) LoggerFactory.getLogger(AgentLink.class);

  @BeforeEach
  void captureLog() {
    logged.start();
    linkLog.addAppender(logged);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    linkLog.detachAppender(logged);
  }

  @Test
  void anAgentGivenStandbyThenLeaderEndsConnectedToTheLeaderAfterARedirect() throws Exception {
    AgentServer leader = leader(new SettableFence(12, true));
    RedirectingAgentPort standby = standby();
    leaderSeen.set(Optional.of(new LeaderRedirect(address(leader.port()), 12)));

    AgentLink link = link(List.of(local(standby.port()), local(leader.port())), memory());

    await("connected to the leader").until(() -> link.connectedTo().isPresent());
    assertEquals(local(leader.port()), link.connectedTo().get());
    assertEquals(1, link.redirectsFollowed());
    assertEquals(1, standby.redirected());
    assertTrue(leader.host("h1").orElseThrow().connected());
    assertEquals(12, link.highestEpoch());
  }

  @Test
  void aRedirectToAnAddressNotInTheListIsRefusedCountedAndNotFollowed() throws Exception {
    AgentServer leader = leader(new SettableFence(12, true));
    RedirectingAgentPort standby = standby();
    // The leader is real and reachable, but the operator did not list it.
    leaderSeen.set(Optional.of(new LeaderRedirect(address(leader.port()), 12)));

    AgentLink link = link(List.of(local(standby.port())), memory());

    await("refused twice").until(() -> link.redirectsRefused() >= 2);
    // Had the first redirect been followed, the leader would have had the agent before the second.
    assertTrue(leader.host("h1").isEmpty(), "never dialled the unlisted address");
    assertEquals(0, link.redirectsFollowed());
    assertFalse(link.isConnected());
    assertTrue(
        logged("refused the redirect of " + local(standby.port()) + " to \"127.0.0.1:"),
        () -> "names the address: " + messages());
    assertTrue(logged(": not in --server list"), () -> String.valueOf(messages()));
  }

  @Test
  void aRedirectBelowTheHighestEpochSeenIsRefusedAndTheAgentRotatesToTheNextServer()
      throws Exception {
    Files.writeString(dataDir.resolve(LeaderEpoch.FILE), "9\n");
    AgentServer leader = leader(new SettableFence(9, true));
    RedirectingAgentPort standby = standby();
    // A deposed leader's standby still pointing at an old election.
    leaderSeen.set(Optional.of(new LeaderRedirect(address(leader.port()), 5)));

    AgentLink link =
        link(List.of(local(standby.port()), local(leader.port())), LeaderEpoch.in(dataDir));

    await("connected by rotation").until(() -> link.connectedTo().isPresent());
    assertEquals(1, link.redirectsRefused());
    assertEquals(0, link.redirectsFollowed());
    assertTrue(logged("stale epoch 5 < 9"), () -> String.valueOf(messages()));
  }

  @Test
  void notLeaderMovesTheAgentToTheNextServer() throws Exception {
    AgentServer leader = leader(new SettableFence(3, true));
    RedirectingAgentPort standby = standby(); // knows no leader

    AgentLink link = link(List.of(local(standby.port()), local(leader.port())), memory());

    await("connected to the next server").until(() -> link.connectedTo().isPresent());
    assertEquals(local(leader.port()), link.connectedTo().get());
    assertEquals(1, standby.refusedWithoutLeader());
  }

  @Test
  void anAgentThatSawEpochSevenRefusesAnAssignmentAtEpochFiveAndAcceptsSevenAndEight()
      throws Exception {
    SettableFence fence = new SettableFence(7, true);
    AgentServer server = leader(fence);
    AgentLink link = link(List.of(local(server.port())), LeaderEpoch.in(dataDir));
    await("welcomed at 7").until(() -> link.isConnected() && link.highestEpoch() == 7);
    link.report(StatusReport.newBuilder().setRevision("r0").build());
    await("first report").until(() -> server.host("h1").orElseThrow().lastReport().isPresent());

    // A frame from an older leadership, as a deposed leader would still send it.
    fence.epoch = 5;
    assertTrue(server.send("h1", assignment("stale", 1)));
    await("refused").until(() -> link.staleCommandsRefused() == 1);
    await("reported to the server")
        .until(() -> server.host("h1").orElseThrow().staleCommandsRefused() == 1);
    assertEquals(7, server.host("h1").orElseThrow().highestEpoch());
    assertTrue(
        logged("its epoch 5 is below the highest seen, 7")
            && logged("from " + local(server.port())),
        () -> String.valueOf(messages()));

    fence.epoch = 7;
    assertTrue(server.send("h1", assignment("same", 2)));
    fence.epoch = 8;
    assertTrue(server.send("h1", assignment("newer", 3)));
    await("both applied").until(() -> applied.size() == 2 || revisions().contains("newer"));
    assertFalse(revisions().contains("stale"), "the stale assignment never reached the agent");
    assertEquals(8, link.highestEpoch());
    await("kept in the data dir")
        .until(() -> Files.readString(dataDir.resolve(LeaderEpoch.FILE)).strip().equals("8"));
    assertEquals(1, link.staleCommandsRefused());
  }

  @Test
  void theHighestEpochSurvivesARestartAndAnOlderLeadersWelcomeIsRefused() throws Exception {
    AgentServer newer = leader(new SettableFence(8, true));
    AgentLink first = link(List.of(local(newer.port())), LeaderEpoch.in(dataDir));
    await("welcomed at 8").until(() -> first.isConnected() && first.highestEpoch() == 8);
    await("kept in the data dir")
        .until(
            () ->
                Files.exists(dataDir.resolve(LeaderEpoch.FILE))
                    && Files.readString(dataDir.resolve(LeaderEpoch.FILE)).strip().equals("8"));
    first.close();

    AgentServer older = leader(new SettableFence(6, true));
    AgentLink restarted = link(List.of(local(older.port())), LeaderEpoch.in(dataDir));

    await("session refused").until(() -> restarted.staleSessionsRefused() >= 1);
    assertEquals(8, restarted.highestEpoch());
    assertEquals(0, restarted.sessions(), "never welcomed");
    assertTrue(
        logged("its epoch 6 is below the highest seen, 8"), () -> String.valueOf(messages()));
  }

  @Test
  void aSingleServerAtEpochZeroIsAcceptedAndLeavesTheHighestAlone() throws Exception {
    Files.writeString(dataDir.resolve(LeaderEpoch.FILE), "7\n");
    AgentServer single = leader(CommandFence.SINGLE_NODE);
    AgentLink link = link(List.of(local(single.port())), LeaderEpoch.in(dataDir));

    await("welcomed").until(link::isConnected);
    assertTrue(single.send("h1", assignment("r1", 1)));
    await("applied").until(() -> revisions().contains("r1"));
    assertEquals(7, link.highestEpoch());
    assertEquals(0, link.staleCommandsRefused());
  }

  private AgentServer leader(CommandFence fence) throws InterruptedException {
    AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), new RecordingListener())
            .bind("127.0.0.1", 0)
            .heartbeatInterval(Duration.ofSeconds(1))
            .fence(fence)
            .start();
    toClose.add(server);
    return server;
  }

  private RedirectingAgentPort standby() throws InterruptedException {
    RedirectingAgentPort port = RedirectingAgentPort.start("127.0.0.1", 0, null, leaderSeen::get);
    toClose.add(port);
    return port;
  }

  private AgentLink link(List<ServerAddress> servers, LeaderEpoch epochs) {
    AgentLink link =
        AgentLink.builder(servers, identity, applied::add)
            .joinToken(TOKEN)
            .leaderEpoch(epochs)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .start();
    toClose.add(link);
    return link;
  }

  private static LeaderEpoch memory() {
    return LeaderEpoch.inMemory();
  }

  private static ServerAddress local(int port) {
    return new ServerAddress("127.0.0.1", port);
  }

  private static String address(int port) {
    return "127.0.0.1:" + port;
  }

  private static Assignment assignment(String revision, long generation) {
    return Assignment.newBuilder().setRevision(revision).setGeneration(generation).build();
  }

  private List<String> revisions() {
    return applied.stream().map(Assignment::getRevision).toList();
  }

  private boolean logged(String text) {
    return messages().stream().anyMatch(m -> m.contains(text));
  }

  private List<String> messages() {
    synchronized (logged) {
      return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
