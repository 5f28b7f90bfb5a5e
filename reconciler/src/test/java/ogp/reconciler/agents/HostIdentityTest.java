package ogp.reconciler.agents;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.SecretToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host id belongs to the identity that first said Hello with it, over real sockets: an impostor
 * with the join token but another key is refused and the host keeps its session and assignment;
 * after an operator releases the name the next identity binds it; the same identity reconnecting
 * wins over its stale session; the labels placement uses are the bound ones, whatever a later Hello
 * declares; a host id that is not a DNS label is refused.
 */
class HostIdentityTest {
  private static final String TOKEN = "identity-test-token";

  @TempDir Path dataDir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();
  private final List<Assignment> received = new CopyOnWriteArrayList<>();
  private EventLoopGroup group;
  private int port; // of the server started last

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void anImpostorWithTheJoinTokenButAnotherKeyIsRefusedWhileTheHostKeepsItsSessionAndAssignment()
      throws Exception {
    AgentServer server = server(HostBindings.inMemory());
    AgentLink db = link(server, new AgentIdentity("db-1", Map.of("role", "db"), "test", "27.0"));
    await("db-1 connected").until(db::isConnected);
    assertTrue(server.send("db-1", assignment("r1", 1, "SECRET", "db-password")));
    await("db-1 has its assignment").until(() -> received.size() == 1);
    long sessions = db.sessions();

    RawAgent impostor = raw(RawAgent.hello("db-1", TOKEN, RawAgent.key("impostor")));

    assertTrue(impostor.closesWithin(5));
    Refusal refusal = impostor.refusal().orElseThrow();
    assertEquals(Refusal.Code.IDENTITY_MISMATCH, refusal.getCode());
    assertTrue(refusal.getReason().contains("ogp hosts release db-1"), refusal.getReason());
    assertTrue(impostor.received.stream().noneMatch(Envelope::hasAssignment));
    assertFalse(impostor.welcomed());
    // The host was never touched: same session, still connected, still reachable.
    assertTrue(db.isConnected());
    assertEquals(sessions, db.sessions());
    assertTrue(server.host("db-1").orElseThrow().connected());
    assertTrue(server.send("db-1", assignment("r2", 2, "SECRET", "db-password")));
    await("db-1 still gets its assignments").until(() -> received.size() == 2);
    assertEquals(List.of("connected:db-1"), listener.of("db-1"));

    // Also while the host is away: the name stays held.
    db.close();
    await("db-1 disconnected").until(() -> !server.host("db-1").orElseThrow().connected());
    RawAgent again = raw(RawAgent.hello("db-1", TOKEN, RawAgent.key("impostor")));
    assertTrue(again.closesWithin(5));
    assertEquals(Refusal.Code.IDENTITY_MISMATCH, again.refusal().orElseThrow().getCode());
  }

  @Test
  void afterAReleaseTheNextIdentityBindsTheNameAndItsLabels() throws Exception {
    AgentServer server = server(HostBindings.inMemory());
    RawAgent first = raw(helloWithLabels("web-1", "first", Map.of("role", "web")));
    await("first welcomed").until(first::welcomed);

    assertFalse(server.release("nobody"), "an unknown host id is not bound");
    assertTrue(server.release("web-1"));

    RawAgent second = raw(helloWithLabels("web-1", "second", Map.of("role", "db")));
    await("the new identity is welcomed").until(second::welcomed);
    // The newest session wins, as ever; the old identity is now the stranger.
    assertTrue(first.closesWithin(5));
    assertEquals(Refusal.Code.SUPERSEDED, first.refusal().orElseThrow().getCode());
    assertEquals(Map.of("role", "db"), server.host("web-1").orElseThrow().labels());
    RawAgent firstAgain = raw(helloWithLabels("web-1", "first", Map.of("role", "web")));
    assertTrue(firstAgain.closesWithin(5));
    assertEquals(Refusal.Code.IDENTITY_MISMATCH, firstAgain.refusal().orElseThrow().getCode());
  }

  @Test
  void aReconnectOfTheSameIdentityWinsOverItsStaleSession() throws Exception {
    AgentServer server = server(HostBindings.inMemory());
    RawAgent stale = raw(RawAgent.hello("app-1", TOKEN));
    await("first session welcomed").until(stale::welcomed);

    RawAgent fresh = raw(RawAgent.hello("app-1", TOKEN));

    await("the reconnect is welcomed").until(fresh::welcomed);
    assertTrue(stale.closesWithin(5));
    assertEquals(Refusal.Code.SUPERSEDED, stale.refusal().orElseThrow().getCode());
    assertTrue(server.send("app-1", assignment("r1", 1, "K", "v")));
    await("the fresh session gets the assignment")
        .until(() -> fresh.received.stream().anyMatch(Envelope::hasAssignment));
  }

  @Test
  void labelsDeclaredInALaterHelloAreNotTheOnesPlacementUses() throws Exception {
    AgentServer server = server(HostBindings.inMemory());
    RawAgent bound = raw(helloWithLabels("h-1", "h-1", Map.of("role", "web")));
    await("bound with role=web").until(bound::welcomed);

    RawAgent claimsDb = raw(helloWithLabels("h-1", "h-1", Map.of("role", "db")));
    await("same identity welcomed").until(claimsDb::welcomed);

    HostRecord host = server.host("h-1").orElseThrow();
    assertEquals(Map.of("role", "web"), host.labels(), "placement uses the bound labels");
    assertEquals(Map.of("role", "db"), host.declaredLabels(), "shown, never used");

    // An operator changes them; placement hears of it.
    assertEquals(
        Map.of("role", "db", "zone", "a"),
        server.relabel("h-1", Map.of("role", "db", "zone", "a"), Set.of()).orElseThrow());
    assertEquals(Map.of("zone", "a"), server.relabel("h-1", Map.of(), Set.of("role")).get());
    assertEquals(Map.of("zone", "a"), server.host("h-1").orElseThrow().labels());
    await("the listener hears the new labels")
        .until(() -> listener.events.contains("labels:h-1:{zone=a}"));
    assertTrue(server.relabel("nobody", Map.of("a", "b"), Set.of()).isEmpty());
  }

  @Test
  void aHostIdThatIsNotADnsLabelIsRefused() throws Exception {
    AgentServer server = server(HostBindings.inMemory());
    for (String bad : List.of("DB-1", "db_1", "-db", "db-", "a".repeat(64), "db.1")) {
      RawAgent agent = raw(RawAgent.hello(bad, TOKEN));
      assertTrue(agent.closesWithin(5), bad);
      Refusal refusal = agent.refusal().orElseThrow();
      assertEquals(Refusal.Code.INVALID_HOST_ID, refusal.getCode(), bad);
      assertTrue(refusal.getReason().contains("is not a DNS label"), refusal.getReason());
    }
    assertTrue(server.hosts().isEmpty());
  }

  @Test
  void aHelloWithoutAHostKeyIsRefused() throws Exception {
    AgentServer server = server(HostBindings.inMemory());
    RawAgent keyless = raw(RawAgent.hello("db-1", TOKEN).toBuilder().clearHostKey().build());
    assertTrue(keyless.closesWithin(5));
    assertEquals(Refusal.Code.PROTOCOL_ERROR, keyless.refusal().orElseThrow().getCode());
  }

  @Test
  void bindingsAreKeptOwnerOnlyInHostsJsonAndHoldAcrossARestart() throws Exception {
    try (HostBindings bindings = HostBindings.open(dataDir)) {
      AgentServer server = server(bindings);
      RawAgent db = raw(helloWithLabels("db-1", "db-1", Map.of("role", "db")));
      await("db-1 welcomed").until(db::welcomed);
      server.close();
    }
    Path file = dataDir.resolve(HostBindings.FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String json = Files.readString(file);
    assertTrue(json.contains("\"db-1\"") && json.contains("key-sha256:"), json);
    assertFalse(
        json.contains(java.util.HexFormat.of().formatHex(RawAgent.key("db-1"))),
        "only the hash of the key is kept");

    try (HostBindings reopened = HostBindings.open(dataDir)) {
      HostBindings.Binding binding = reopened.binding("db-1").orElseThrow();
      assertEquals(Map.of("role", "db"), binding.labels());
      AgentServer server = server(reopened);
      RawAgent impostor = raw(RawAgent.hello("db-1", TOKEN, RawAgent.key("impostor")));
      assertTrue(impostor.closesWithin(5));
      assertEquals(Refusal.Code.IDENTITY_MISMATCH, impostor.refusal().orElseThrow().getCode());
      RawAgent same = raw(helloWithLabels("db-1", "db-1", Map.of()));
      await("the same key is welcomed after the restart").until(same::welcomed);
      assertEquals(Map.of("role", "db"), server.host("db-1").orElseThrow().labels());
      server.close();
    }
  }

  @Test
  void aCorruptHostsJsonStopsTheStartWithAClearMessage() throws Exception {
    Files.writeString(dataDir.resolve(HostBindings.FILE), "{not json");
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class, () -> HostBindings.open(dataDir));
    assertTrue(e.getMessage().contains("is not a host bindings file"), e.getMessage());
  }

  @Test
  void manyClaimsAtOnceCostFewWrites() throws Exception {
    try (HostBindings bindings = HostBindings.open(dataDir)) {
      for (int i = 0; i < 10_000; i++) {
        bindings.claim("host-" + i, "key-sha256:" + i, Map.of(), Instant.EPOCH);
      }
    }
    String json = Files.readString(dataDir.resolve(HostBindings.FILE));
    assertTrue(json.contains("\"host-9999\""));
  }

  private Hello helloWithLabels(String hostId, String keyName, Map<String, String> labels) {
    return RawAgent.hello(hostId, TOKEN, RawAgent.key(keyName)).toBuilder()
        .putAllLabels(labels)
        .build();
  }

  private static Assignment assignment(
      String revision, long generation, String envName, String envValue) {
    return Assignment.newBuilder()
        .setRevision(revision)
        .setGeneration(generation)
        .addContainers(ContainerSpec.newBuilder().setApp("db").putEnv(envName, envValue))
        .build();
  }

  private AgentServer server(HostBindings bindings) throws InterruptedException {
    AgentServer server =
        AgentServer.builder(SecretToken.of(TOKEN), listener)
            .bind("127.0.0.1", 0)
            .hostBindings(bindings)
            .start();
    toClose.add(server);
    port = server.port();
    return server;
  }

  private AgentLink link(AgentServer server, AgentIdentity identity) {
    AgentLink link =
        AgentLink.builder("127.0.0.1", server.port(), identity, received::add)
            .joinToken(TOKEN)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(300))
            .start();
    toClose.add(link);
    return link;
  }

  private RawAgent raw(Hello hello) throws InterruptedException {
    RawAgent agent = RawAgent.connect(group, port);
    toClose.add(agent);
    return agent.send(Envelope.newBuilder().setHello(hello).build());
  }

  @Test
  void revocationsAreKeptInHostsJsonAndAReleaseKeepsTheRevokedIdentityRefused(@TempDir Path data)
      throws Exception {
    java.time.Instant now = java.time.Instant.parse("2026-12-07T06:00:00Z");
    try (HostBindings bindings = HostBindings.open(data)) {
      bindings.claimForEnrolment("host-a", "cert-sha256:aa", now);
      bindings.claimForEnrolment("host-b", "cert-sha256:bb", now);
      assertTrue(bindings.revoke("host-a", now).isPresent());
      assertTrue(bindings.revoke("nobody", now).isEmpty());
    }
    try (HostBindings reopened = HostBindings.open(data)) {
      assertEquals(Optional.of(now), reopened.revokedAt("host-a"));
      assertTrue(reopened.isRevokedIdentity("cert-sha256:aa"));
      assertFalse(reopened.isRevokedIdentity("cert-sha256:bb"));
      assertTrue(reopened.binding("host-b").orElseThrow().labelsPending());

      assertTrue(reopened.release("host-a"));
      assertEquals(Optional.empty(), reopened.revokedAt("host-a"));
      assertTrue(reopened.isRevokedIdentity("cert-sha256:aa"), "the key stays refused");
    }
  }

  @Test
  void theFirstHelloOfAnEnrolledHostBindsTheLabelsItDeclares() {
    HostBindings bindings = HostBindings.inMemory();
    java.time.Instant now = java.time.Instant.parse("2026-12-07T06:00:00Z");
    bindings.claimForEnrolment("host-a", "cert-sha256:aa", now);

    bindings.claim("host-a", "cert-sha256:aa", Map.of("role", "db"), now);
    HostBindings.Claim later =
        bindings.claim("host-a", "cert-sha256:aa", Map.of("role", "web"), now);

    assertEquals(
        Map.of("role", "db"), ((HostBindings.Claim.Held) later).binding().labels(), "bound once");
  }
}
