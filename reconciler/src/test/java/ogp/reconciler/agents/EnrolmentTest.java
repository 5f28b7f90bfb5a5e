package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.agent.identity.CertificateRenewal;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.identity.Enroller;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.Role;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolment, renewal and revocation over real TLS sockets: the security list, each its own
 * test. The server is an {@link EnrollingServer} (its own CA, client certificates optional); the
 * agent side is the code behind {@code ogp agent enroll} and {@code ogp agent}.
 */
class EnrolmentTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.now());
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private EnrollingServer server;
  private EventLoopGroup group;

  @BeforeEach
  void setUp() throws Exception {
    server = new EnrollingServer(dir.resolve("server"), clock, Duration.ofDays(30));
    toClose.add(server);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void anEnrolledAgentConnectsOverMutualTlsWithItsCertificateAndNoJoinToken() throws Exception {
    String token = joinToken("join-a", Optional.of(1), Optional.empty());
    EnrolledIdentity identity = enrol("host-a", token);

    assertEquals(
        Optional.of(new EnrolledIdentity.Enrolment("localhost:" + server.port(), "host-a")),
        identity.enrolment());
    X509Certificate certificate = identity.readCertificate();
    assertTrue(certificate.getSubjectX500Principal().getName().contains("CN=host-a"));
    AgentLink link = link("host-a", identity, Duration.ofMinutes(1));
    await("welcomed over mutual TLS").until(link::isConnected);
    assertEquals(
        "cert-sha256:" + HelloCheck.sha256(certificate.getPublicKey().getEncoded()),
        server.bindings.binding("host-a").orElseThrow().identity());
  }

  @Test
  void aWrongCaHashRefusesToEnrolWithAServerOfAnotherCa() throws Exception {
    // A man in the middle: a server with its own CA, valid for the name the agent dials.
    CertificateAuthority other = CertificateAuthority.create("mitm", Clock.systemUTC(), random);
    EnrollingServer mitm =
        new EnrollingServer(dir.resolve("mitm"), clock, Duration.ofDays(1), other);
    toClose.add(mitm);
    String token =
        mitm.tokens.create(
            "join-m", Role.JOIN, Optional.of(clock.instant().plusSeconds(86_400)), random);
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));

    Enroller.EnrolmentFailed failed =
        assertThrows(
            Enroller.EnrolmentFailed.class,
            () ->
                Enroller.enrol(
                    new Enroller.Request(
                        "localhost", mitm.port(), token, server.caHash(), "host-a", identity)));

    assertTrue(failed.getMessage().contains("expected " + server.caHash()), failed.getMessage());
    assertTrue(failed.getMessage().contains(mitm.caHash()), failed.getMessage());
    assertFalse(Files.exists(identity.certificateFile()));
    assertEquals(Optional.empty(), identity.enrolment());
    assertTrue(mitm.bindings.binding("host-a").isEmpty(), "the request was never sent");
  }

  @Test
  void aUsedUpJoinTokenIsRefusedAndTheRefusalSaysItIsUsedUp() throws Exception {
    String token = joinToken("join-once", Optional.of(1), Optional.empty());
    enrol("host-a", token);

    Enroller.EnrolmentFailed failed =
        assertThrows(Enroller.EnrolmentFailed.class, () -> enrol("host-b", token));

    assertTrue(failed.getMessage().contains("BAD_TOKEN"), failed.getMessage());
    assertTrue(failed.getMessage().contains("used up"), failed.getMessage());
    assertTrue(server.bindings.binding("host-b").isEmpty());
    assertEquals(
        Optional.of(0),
        server.tokens.list().stream()
            .filter(t -> t.name().equals("join-once"))
            .findFirst()
            .orElseThrow()
            .usesLeft());
  }

  @Test
  void anExpiredJoinTokenIsRefusedAndTheRefusalSaysItExpired() throws Exception {
    String token =
        joinToken("join-day", Optional.empty(), Optional.of(clock.instant().plusSeconds(3600)));
    clock.advance(Duration.ofHours(2));

    Enroller.EnrolmentFailed failed =
        assertThrows(Enroller.EnrolmentFailed.class, () -> enrol("host-a", token));

    assertTrue(failed.getMessage().contains("BAD_TOKEN"), failed.getMessage());
    assertTrue(failed.getMessage().contains("expired"), failed.getMessage());
    assertTrue(server.bindings.binding("host-a").isEmpty());
  }

  @Test
  void aJoinTokenWithNeitherAUseLimitNorAnExpiryCannotEnrolAgents() throws Exception {
    String token = joinToken("join-forever", Optional.empty(), Optional.empty());

    Enroller.EnrolmentFailed failed =
        assertThrows(Enroller.EnrolmentFailed.class, () -> enrol("host-a", token));

    assertTrue(failed.getMessage().contains("BAD_TOKEN"), failed.getMessage());
    assertTrue(
        failed.getMessage().contains("neither a use limit nor an expiry"), failed.getMessage());
    assertTrue(server.bindings.binding("host-a").isEmpty());
  }

  @Test
  void anEnrolmentWhoseAnswerWasLostIsRetriedWithTheSameKeyAndSucceeds() throws Exception {
    String token = joinToken("join-retry", Optional.of(2), Optional.empty());
    Path dataDir = dir.resolve("agent-retry");
    EnrolledIdentity identity = enrol("host-a", token, dataDir);
    byte[] key = Files.readAllBytes(identity.keyFile());
    // What a lost answer leaves: the key written first, nothing else; the server bound host-a.
    Files.delete(identity.certificateFile());
    Files.delete(identity.caFile());
    Files.delete(identity.dir().resolve(EnrolledIdentity.ENROLMENT));

    enrol("host-a", token, dataDir);

    assertArrayEquals(key, Files.readAllBytes(identity.keyFile()), "the same key, not a new one");
    assertEquals(Optional.of("host-a"), identity.enrolment().map(e -> e.hostId()));
  }

  @Test
  void anEnrolmentCannotTakeAHostIdBoundToAnotherIdentityAndSpendsNoUse() throws Exception {
    String token = joinToken("join-two", Optional.of(2), Optional.empty());
    enrol("host-a", token);

    Enroller.EnrolmentFailed failed =
        assertThrows(
            Enroller.EnrolmentFailed.class, () -> enrol("host-a", token, dir.resolve("intruder")));

    assertTrue(failed.getMessage().contains("IDENTITY_MISMATCH"), failed.getMessage());
    assertTrue(failed.getMessage().contains("ogp hosts release host-a"), failed.getMessage());
    assertEquals(Optional.of(1), usesLeft("join-two"));
  }

  @Test
  void aCertificateForHostACannotClaimHostB() throws Exception {
    EnrolledIdentity hostA =
        enrol(
            "host-a",
            joinToken(
                "join-a", Optional.empty(), Optional.of(clock.instant().plusSeconds(86_400))));

    try (RawAgent agent =
        RawAgent.connect(group, "localhost", server.port(), TlsContexts.agent(hostA.agentTls()))) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("host-b", "")).build());
      assertTrue(agent.closesWithin(10));
      assertEquals(
          Refusal.Code.IDENTITY_MISMATCH, agent.refusal().map(Refusal::getCode).orElseThrow());
      assertFalse(agent.welcomed());
    }
    assertTrue(server.agents.host("host-b").isEmpty());
  }

  @Test
  void aRevokedHostIsClosedNowAndRefusedAtItsNextConnectionAndItsKeyStaysRefusedAfterRelease()
      throws Exception {
    String token =
        joinToken("join-many", Optional.empty(), Optional.of(clock.instant().plusSeconds(86_400)));
    EnrolledIdentity hostA = enrol("host-a", token);
    AgentLink link = link("host-a", hostA, Duration.ofMinutes(1));
    await("connected").until(link::isConnected);

    assertTrue(server.agents.revoke("host-a"));

    await("the live session is closed").until(() -> !link.isConnected());
    assertEquals(Refusal.Code.REVOKED, helloWith(hostA, "host-a"));
    Enroller.EnrolmentFailed again =
        assertThrows(
            Enroller.EnrolmentFailed.class, () -> enrol("host-a", token, dir.resolve("new-key")));
    assertTrue(again.getMessage().contains("REVOKED"), again.getMessage());
    assertEquals(java.util.Set.of("host-a"), server.agents.revokedHosts());

    // Released: the host id may enrol again with a new key; the revoked key stays refused.
    link.close();
    assertTrue(server.agents.release("host-a"));
    assertEquals(Refusal.Code.REVOKED, helloWith(hostA, "host-a"));
    EnrolledIdentity replacement = enrol("host-a", token, dir.resolve("replacement"));
    AgentLink newLink = link("host-a", replacement, Duration.ofMinutes(1));
    await("the new identity connects").until(newLink::isConnected);
  }

  @Test
  void anAgentRenewsItsCertificateBeforeExpiryAndTheRenewedOneIsAcceptedOnReconnect()
      throws Exception {
    EnrollingServer shortLived =
        new EnrollingServer(dir.resolve("short"), clock, Duration.ofSeconds(6));
    toClose.add(shortLived);
    String token =
        shortLived.tokens.create(
            "join-s", Role.JOIN, Optional.of(clock.instant().plusSeconds(86_400)), random);
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("short-agent"));
    Enroller.enrol(
        new Enroller.Request(
            "localhost", shortLived.port(), token, shortLived.caHash(), "host-r", identity));
    X509Certificate first = identity.readCertificate();
    AgentLink link =
        AgentLink.builder(
                "localhost",
                shortLived.port(),
                new AgentIdentity("host-r", Map.of(), "test", "27.0"),
                a -> {})
            .tlsPerConnection(() -> TlsContexts.agent(identity.agentTls()))
            .renewal(new CertificateRenewal(identity, "host-r"), Duration.ofMillis(200))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(300))
            .start();
    toClose.add(link);

    await("renewed before the first certificate expires")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                identity.readCertificate().getNotAfter().after(first.getNotAfter())
                    || Instant.now().isAfter(first.getNotAfter().toInstant()));
    X509Certificate renewed = identity.readCertificate();
    assertTrue(renewed.getNotAfter().after(first.getNotAfter()), "renewed in time");
    assertEquals(first.getPublicKey(), renewed.getPublicKey());
    assertTrue(
        Instant.now().isBefore(first.getNotAfter().toInstant()),
        "renewal happened before the first certificate expired");

    // Once the first certificate has expired, a new connection uses the renewed one.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Instant.now().isAfter(first.getNotAfter().toInstant()));
    link.close();
    AgentLink again = link("host-r", identity, Duration.ofMinutes(1), shortLived.port());
    await("reconnected with the renewed certificate").until(again::isConnected);
  }

  @Test
  void aHelloWithoutAClientCertificateIsRefusedWithTlsRequiredEvenWithAJoinToken()
      throws Exception {
    String token =
        joinToken("join-plain", Optional.empty(), Optional.of(clock.instant().plusSeconds(86_400)));
    java.nio.file.Path ca = dir.resolve("server").resolve("ca.crt");

    try (RawAgent agent =
        RawAgent.connect(
            group,
            "localhost",
            server.port(),
            TlsContexts.agent(ogp.protocol.tls.AgentTls.verifyingServer(ca)))) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("host-p", token)).build());
      assertTrue(agent.closesWithin(10));
      assertEquals(Refusal.Code.TLS_REQUIRED, agent.refusal().map(Refusal::getCode).orElseThrow());
    }
    assertTrue(server.bindings.binding("host-p").isEmpty());
  }

  private Refusal.Code helloWith(EnrolledIdentity identity, String hostId) throws Exception {
    try (RawAgent agent =
        RawAgent.connect(
            group, "localhost", server.port(), TlsContexts.agent(identity.agentTls()))) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello(hostId, "")).build());
      assertTrue(agent.closesWithin(10));
      return agent.refusal().map(Refusal::getCode).orElse(Refusal.Code.CODE_UNSPECIFIED);
    }
  }

  private String joinToken(String name, Optional<Integer> uses, Optional<Instant> expiresAt)
      throws Exception {
    return server.tokens.create(name, Role.JOIN, expiresAt, uses, random);
  }

  private Optional<Integer> usesLeft(String name) {
    return server.tokens.list().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow()
        .usesLeft();
  }

  private EnrolledIdentity enrol(String hostId, String token) throws Exception {
    return enrol(hostId, token, dir.resolve("agent-" + hostId));
  }

  private EnrolledIdentity enrol(String hostId, String token, Path dataDir) throws Exception {
    EnrolledIdentity identity = EnrolledIdentity.in(dataDir);
    Enroller.enrol(
        new Enroller.Request("localhost", server.port(), token, server.caHash(), hostId, identity));
    return identity;
  }

  private AgentLink link(String hostId, EnrolledIdentity identity, Duration renewalCheck) {
    return link(hostId, identity, renewalCheck, server.port());
  }

  private AgentLink link(
      String hostId, EnrolledIdentity identity, Duration renewalCheck, int port) {
    AgentLink link =
        AgentLink.builder(
                "localhost", port, new AgentIdentity(hostId, Map.of(), "test", "27.0"), a -> {})
            .tlsPerConnection(() -> TlsContexts.agent(identity.agentTls()))
            .renewal(new CertificateRenewal(identity, hostId), renewalCheck)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(300))
            .start();
    toClose.add(link);
    return link;
  }
}
