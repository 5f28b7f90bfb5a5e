package ogp.reconciler.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.agent.identity.CertificateRequest;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.identity.Enroller;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.EnrollRequest;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import ogp.protocol.v1.RenewRequest;
import ogp.reconciler.auth.Role;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile enrolment and renewal requests: each is refused with one reason, the connection closed,
 * and nothing bound, spent or issued.
 */
class EnrolmentRequestsTest {
  @TempDir Path dir;
  private EnrollingServer server;
  private EventLoopGroup group;
  private String token;

  @BeforeEach
  void setUp() throws Exception {
    server = new EnrollingServer(dir.resolve("server"), Clock.systemUTC(), Duration.ofDays(30));
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    token =
        server.tokens.create(
            "join-3", Role.JOIN, Optional.empty(), Optional.of(3), new SecureRandom());
  }

  @AfterEach
  void tearDown() {
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void aCsrThatIsNotPkcs10IsRefusedAndSpendsNoUse() throws Exception {
    assertRefused(Refusal.Code.ENROLMENT_REFUSED, "not a PKCS#10", "host-a", new byte[] {1, 2, 3});
  }

  @Test
  void aCsrForAWeakRsaKeyIsRefused() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    KeyPair weak = rsa.generateKeyPair();
    byte[] csr =
        new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=host-a"), weak.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate()))
            .getEncoded();
    assertRefused(Refusal.Code.ENROLMENT_REFUSED, "1024 bits", "host-a", csr);
  }

  @Test
  void aCsrWhoseSignatureIsNotByItsKeyIsRefused() throws Exception {
    KeyPair mine = CertificateRequest.newKeyPair();
    KeyPair other = CertificateRequest.newKeyPair();
    byte[] csr = CertificateRequest.der("host-a", mine.getPublic(), other.getPrivate());
    assertRefused(Refusal.Code.ENROLMENT_REFUSED, "does not verify", "host-a", csr);
  }

  @Test
  void aHostIdThatIsNoDnsLabelIsRefused() throws Exception {
    KeyPair keys = CertificateRequest.newKeyPair();
    byte[] csr = CertificateRequest.der("x", keys.getPublic(), keys.getPrivate());
    assertRefused(Refusal.Code.INVALID_HOST_ID, "", "Host_A\r\nforged", csr);
  }

  @Test
  void anEnrolmentFrameOverTheHandshakeLimitClosesTheConnectionBeforeAnythingIsIssued()
      throws Exception {
    try (RawAgent agent = enrollingConnection()) {
      agent.send(enroll("host-a", new byte[9 * 1024]));
      assertTrue(agent.closesWithin(10));
      assertTrue(agent.refusal().isEmpty());
    }
    assertNothingHappened("host-a");
  }

  @Test
  void aRenewalForAnotherKeyIsRefusedAndTheSessionClosed() throws Exception {
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));
    Enroller.enrol(
        new Enroller.Request(
            "localhost", server.port(), token, server.caHash(), "host-a", identity));
    KeyPair other = CertificateRequest.newKeyPair();
    try (RawAgent agent =
        RawAgent.connect(
            group, "localhost", server.port(), TlsContexts.agent(identity.agentTls()))) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("host-a", "")).build());
      org.awaitility.Awaitility.await("welcomed").until(agent::welcomed);
      agent.send(
          Envelope.newBuilder()
              .setRenewRequest(
                  RenewRequest.newBuilder()
                      .setCsr(
                          ByteString.copyFrom(
                              CertificateRequest.der(
                                  "host-a", other.getPublic(), other.getPrivate()))))
              .build());
      assertTrue(agent.closesWithin(10));
      Refusal refusal = agent.refusal().orElseThrow();
      assertEquals(Refusal.Code.ENROLMENT_REFUSED, refusal.getCode());
      assertTrue(refusal.getReason().contains("renewal keeps the key"), refusal.getReason());
    }
  }

  @Test
  void aSecondRenewalOnOneConnectionWithinTheIntervalIsRefused() throws Exception {
    EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));
    Enroller.enrol(
        new Enroller.Request(
            "localhost", server.port(), token, server.caHash(), "host-a", identity));
    byte[] csr =
        CertificateRequest.der(
            "host-a", identity.readCertificate().getPublicKey(), identity.readKey());
    Envelope renew =
        Envelope.newBuilder()
            .setRenewRequest(RenewRequest.newBuilder().setCsr(ByteString.copyFrom(csr)))
            .build();
    try (RawAgent agent =
        RawAgent.connect(
            group, "localhost", server.port(), TlsContexts.agent(identity.agentTls()))) {
      agent.send(Envelope.newBuilder().setHello(RawAgent.hello("host-a", "")).build());
      org.awaitility.Awaitility.await("welcomed").until(agent::welcomed);
      agent.send(renew);
      org.awaitility.Awaitility.await("renewed")
          .until(() -> agent.received(Envelope::hasRenewResponse));
      agent.send(renew);
      assertTrue(agent.closesWithin(10));
      assertTrue(agent.refusal().orElseThrow().getReason().contains("at most one renewal"));
    }
  }

  private void assertRefused(Refusal.Code code, String reasonPart, String hostId, byte[] csr)
      throws Exception {
    try (RawAgent agent = enrollingConnection()) {
      agent.send(enroll(hostId, csr));
      assertTrue(agent.closesWithin(10));
      Refusal refusal = agent.refusal().orElseThrow();
      assertEquals(code, refusal.getCode(), refusal.getReason());
      assertTrue(refusal.getReason().contains(reasonPart), refusal.getReason());
      assertFalse(agent.welcomed());
    }
    assertNothingHappened(hostId);
  }

  private void assertNothingHappened(String hostId) {
    assertTrue(server.bindings.binding(hostId).isEmpty());
    assertEquals(
        Optional.of(3),
        server.tokens.list().stream()
            .filter(t -> t.name().equals("join-3"))
            .findFirst()
            .orElseThrow()
            .usesLeft());
  }

  private RawAgent enrollingConnection() throws InterruptedException {
    return RawAgent.connect(
        group,
        "localhost",
        server.port(),
        TlsContexts.agent(AgentTls.verifyingServer(server.dir.resolve("ca.crt"))));
  }

  private Envelope enroll(String hostId, byte[] csr) {
    return Envelope.newBuilder()
        .setEnrollRequest(
            EnrollRequest.newBuilder()
                .setHostId(hostId)
                .setJoinToken(token)
                .setCsr(ByteString.copyFrom(csr)))
        .build();
  }
}
