package ogp.reconciler.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.identity.Enroller;
import ogp.agent.replicas.ServerAddress;
import ogp.protocol.tls.TlsContexts;
import ogp.reconciler.auth.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ogp agent enroll --server standby,leader} over real TLS: the standby is a {@link
 * RedirectingAgentPort} with the server's certificate, the leader an {@link EnrollingServer}.
 */
class EnrolmentThroughReplicasTest {
  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final AtomicReference<Optional<LeaderRedirect>> leaderSeen =
      new AtomicReference<>(Optional.empty());
  private EnrollingServer leader;
  private RedirectingAgentPort standby;
  private String token;

  @BeforeEach
  void setUp() throws Exception {
    leader = new EnrollingServer(dir.resolve("leader"), Clock.systemUTC(), Duration.ofDays(30));
    toClose.add(leader);
    standby =
        RedirectingAgentPort.start(
            "127.0.0.1",
            0,
            TlsContexts.server(EnrollingServer.serverTls(dir.resolve("standby"), leader.ca)),
            leaderSeen::get);
    toClose.add(standby);
    token =
        leader.tokens.create(
            "join", Role.JOIN, Optional.empty(), Optional.of(5), new SecureRandom());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  @Test
  void anAgentEnrolsWithTheLeaderAfterTheStandbysRedirectAndKeepsTheWholeList() throws Exception {
    leaderSeen.set(Optional.of(new LeaderRedirect("localhost:" + leader.port(), 4)));
    List<ServerAddress> servers = servers(standby.port(), leader.port());
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));

    Enroller.enrol(request(servers, identity, 0));

    assertEquals(1, standby.redirected());
    assertTrue(leader.bindings.binding("host-a").isPresent());
    assertEquals(
        Optional.of(new EnrolledIdentity.Enrolment(ServerAddress.format(servers), "host-a")),
        identity.enrolment());
  }

  @Test
  void aStandbyThatKnowsNoLeaderPassesTheEnrolmentToTheNextServer() throws Exception {
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));

    Enroller.enrol(request(servers(standby.port(), leader.port()), identity, 0));

    assertEquals(1, standby.refusedWithoutLeader());
    assertTrue(leader.bindings.binding("host-a").isPresent());
  }

  @Test
  void aRedirectToAnAddressOutsideTheListIsRefusedAndNothingIsEnrolled() throws Exception {
    leaderSeen.set(Optional.of(new LeaderRedirect("localhost:" + leader.port(), 4)));
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));

    Enroller.EnrolmentFailed failed =
        assertThrows(
            Enroller.EnrolmentFailed.class,
            () -> Enroller.enrol(request(servers(standby.port()), identity, 0)));

    assertTrue(failed.getMessage().contains("not in --server list"), failed.getMessage());
    assertTrue(leader.bindings.binding("host-a").isEmpty(), "the leader was never asked");
    assertFalse(Files.exists(identity.certificateFile()));
  }

  @Test
  void aRedirectBelowTheHighestEpochSeenIsRefused() throws Exception {
    // Within the list (the standby itself, so that nothing else is tried), but at epoch 4.
    leaderSeen.set(Optional.of(new LeaderRedirect("localhost:" + standby.port(), 4)));
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));

    Enroller.EnrolmentFailed failed =
        assertThrows(
            Enroller.EnrolmentFailed.class,
            () -> Enroller.enrol(request(servers(standby.port()), identity, 9)));

    assertTrue(failed.getMessage().contains("stale epoch 4 < 9"), failed.getMessage());
    assertEquals(1, standby.redirected(), "not followed back to itself");
    assertFalse(Files.exists(identity.certificateFile()));
  }

  private static List<ServerAddress> servers(int... ports) {
    List<ServerAddress> servers = new ArrayList<>();
    for (int port : ports) servers.add(new ServerAddress("localhost", port));
    return servers;
  }

  private Enroller.Request request(
      List<ServerAddress> servers, EnrolledIdentity identity, long highestEpoch) {
    return new Enroller.Request(servers, token, leader.caHash(), "host-a", identity, highestEpoch);
  }
}
