package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.agent.replicas.LeaderEpoch;
import ogp.agent.replicas.ServerAddress;
import ogp.cluster.FencedStore;
import ogp.cluster.Leader;
import ogp.cluster.Leadership;
import ogp.cluster.Member;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentListener;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.agents.CommandFence;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.agents.ParkedAgentCounts;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenStore;
import ogp.webhook.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica elected while an agent waits on its standby agent port, over real sockets with the real
 * agent link: the standby does not send the agent to itself while its port still accepts, frees the
 * port for the server at once when it hands over, and the agent reaches that server as soon as it
 * listens. The leadership is given by the test (the etcd side is covered by {@code
 * LeaderSigtermFaultTest} and the other fault tests).
 */
class StandbyHandOverTest {
  private static final String TOKEN = "hand-over-token";
  private static final long EPOCH = 31;

  @TempDir Path dataDir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  @Test
  void anElectedStandbyKeepsTheAgentItHoldsAndSendsItToItsOwnServerOnceThatListens()
      throws Exception {
    int agentPort = freePort();
    Member self = new Member("a", "127.0.0.1:" + agentPort, URI.create("http://127.0.0.1:1"));
    ElectedSelf leadership = new ElectedSelf(self);
    ParkedAgentCounts parked = new ParkedAgentCounts();
    TokenStore.bootstrap(dataDir, Clock.systemUTC(), new SecureRandom());
    Standby standby =
        track(
            Standby.start(
                new StandbyFront.Settings(
                    "127.0.0.1",
                    0,
                    Optional.empty(),
                    false,
                    WebhookSettings.DEFAULT_MAX_BODY_BYTES,
                    Optional.empty()),
                agentPort,
                null,
                dataDir,
                new ClusterView(leadership),
                self.id(),
                new MetricsRoutes(),
                parked,
                Clock.systemUTC()));
    int httpPort = standby.httpPort();

    AgentLink link =
        track(
            AgentLink.builder(
                    List.of(new ServerAddress("127.0.0.1", agentPort)),
                    new AgentIdentity("h1", Map.of(), "test", "27.0"),
                    assignment -> {})
                .joinToken(TOKEN)
                .leaderEpoch(LeaderEpoch.inMemory())
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .start());
    await("the agent is held").until(() -> parked.parkedNow() == 1);
    // Elected but still accepting: this replica is no target yet (a probe of its own address would
    // reach this very port), so the agent is neither redirected nor refused.
    await("held, not sent to itself")
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(3))
        .until(() -> link.redirectsFollowed() == 0 && !link.isConnected());

    standby.handOver();
    assertFalse(standby.holdsNoAgent(), "the agent is still held");
    AgentServer server =
        track(
            AgentServer.builder(SecretToken.of(TOKEN), new NoListener())
                .bind("127.0.0.1", agentPort)
                .fence(new Epoch(EPOCH))
                .start());
    try (ServerSocket http = new ServerSocket(httpPort, 1, InetAddress.getLoopbackAddress())) {
      assertEquals(httpPort, http.getLocalPort(), "the HTTP port is free for the server too");
    }

    await("connected to the replica's own server").until(link::isConnected);
    assertEquals(1, link.redirectsFollowed());
    assertEquals(EPOCH, link.highestEpoch());
    assertTrue(server.host("h1").orElseThrow().connected());
    assertEquals(1, parked.redirectedAfterWait());
    await("the old standby port holds nobody").until(standby::holdsNoAgent);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  /** A leadership that elected this replica (what etcd would report), read by the view. */
  private static final class ElectedSelf implements Leadership {
    private final Member self;
    private final AtomicReference<Optional<Leader>> leader;

    ElectedSelf(Member self) {
      this.self = self;
      this.leader = new AtomicReference<>(Optional.of(new Leader(self, EPOCH)));
    }

    @Override
    public boolean mayCommand() {
      return true;
    }

    @Override
    public long epoch() {
      return EPOCH;
    }

    @Override
    public Member self() {
      return self;
    }

    @Override
    public Optional<Leader> leader() {
      return leader.get();
    }

    @Override
    public boolean leading() {
      return true;
    }

    @Override
    public Duration leaseAge() {
      return Duration.ZERO;
    }

    @Override
    public List<Member> members() {
      return List.of(self);
    }

    @Override
    public FencedStore store() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void addListener(Listener listener) {}

    @Override
    public void resign() {}

    @Override
    public void close() {}
  }

  private record Epoch(long epoch) implements CommandFence {
    @Override
    public boolean mayCommand() {
      return true;
    }
  }

  private static final class NoListener implements AgentListener {
    @Override
    public void hostConnected(HostRecord host) {}

    @Override
    public void reportReceived(String hostId, StatusReport report) {}

    @Override
    public void hostDisconnected(String hostId) {}

    @Override
    public void hostLost(String hostId) {}
  }
}
