package ogp.reconciler.agents;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import ogp.protocol.FramePipeline;
import ogp.protocol.HostIds;
import ogp.protocol.LogText;
import ogp.protocol.v1.EnrollRequest;
import ogp.protocol.v1.EnrollResponse;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import ogp.protocol.v1.RenewRequest;
import ogp.protocol.v1.RenewResponse;
import ogp.reconciler.auth.TokenStore;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.CertificateRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the two requests that ask the server's CA for an agent certificate.
 *
 * <p><b>Enrolment</b> ({@link EnrollRequest}, the first frame instead of a Hello, on TLS without a
 * client certificate), checked in this order, each failure refused and the connection closed: the
 * host id is a DNS label (INVALID_HOST_ID); the join token admits an enrolment — known, a join
 * token, not expired, not used up (BAD_TOKEN, saying which); the host is not revoked (REVOKED); the
 * host id is not bound to another identity (IDENTITY_MISMATCH: an enrolment cannot take a bound
 * host; {@code ogp hosts release} frees it); the CSR is valid and its key strong enough
 * (ENROLMENT_REFUSED, see {@link CertificateRequests}) and not a revoked key (REVOKED). Then one
 * use of the token is spent and written to disk, the host id is bound to the CSR's key, a client
 * certificate for that key is issued (CN and DNS name = host id, valid for the agent certificate
 * lifetime), sent with the CA certificate, and the connection closed.
 *
 * <p><b>Renewal</b> ({@link RenewRequest}, after the Welcome over mutual TLS): the CSR must be for
 * the public key of the connection's client certificate (ENROLMENT_REFUSED otherwise: a new key
 * needs a new enrolment) and the host not revoked; the answer is a fresh certificate for the same
 * host id and key ({@link RenewResponse}); the session goes on.
 *
 * <p>The checks on the frame itself run on the event loop; everything that touches the disk (the
 * token store) or signs runs on one worker thread, never on an event loop, with at most {@value
 * #QUEUE} requests waiting (one more is refused as busy); a connection may renew at most once every
 * {@value #RENEWAL_INTERVAL_MILLIS} ms. The token and the agent's CSR are never logged.
 */
final class Enrolment {
  private static final Logger log = LoggerFactory.getLogger(Enrolment.class);

  /** Requests waiting for the worker at most; one more is refused as busy. */
  static final int QUEUE = 256;

  /** The shortest time between two renewals of one connection (an honest agent waits a minute). */
  static final long RENEWAL_INTERVAL_MILLIS = 30_000;

  /**
   * What enrolment needs; absent, the server enrols nobody (a plain-TCP or server-only TLS link).
   *
   * @param ca the CA that signs agent certificates (the one the server's TLS trusts for clients)
   * @param tokens the join tokens whose uses enrolments spend
   * @param agentCertificateLifetime how long an issued or renewed certificate is valid
   */
  record Settings(CertificateAuthority ca, TokenStore tokens, Duration agentCertificateLifetime) {
    Settings {
      Objects.requireNonNull(ca, "ca");
      Objects.requireNonNull(tokens, "tokens");
      if (agentCertificateLifetime.isNegative() || agentCertificateLifetime.isZero()) {
        throw new IllegalArgumentException(
            "the agent certificate lifetime must be positive: " + agentCertificateLifetime);
      }
    }
  }

  private final Optional<Settings> settings;
  private final HostBindings bindings;
  private final IdentityEvents events;
  private final Clock clock;
  private final ExecutorService worker;

  Enrolment(
      Optional<Settings> settings,
      HostBindings bindings,
      IdentityEvents events,
      Clock clock,
      ExecutorService worker) {
    this.settings = settings;
    this.bindings = bindings;
    this.events = events;
    this.clock = clock;
    this.worker = worker;
  }

  /** Answers an enrolment request on the event loop; the connection is closed after the answer. */
  void enrol(ChannelHandlerContext ctx, EnrollRequest request) {
    String remote = Session.describe(ctx.channel());
    String hostId = request.getHostId();
    if (settings.isEmpty()) {
      refuse(
          ctx,
          remote,
          hostId,
          Refusal.Code.ENROLMENT_REFUSED,
          "this server does not enrol agents: its agent link has no CA of its own (plain TCP or"
              + " --tls-cert without the server's CA)");
      return;
    }
    if (ctx.pipeline().get(FramePipeline.TLS_HANDLER) == null) {
      refuse(
          ctx,
          remote,
          hostId,
          Refusal.Code.TLS_REQUIRED,
          "enrolment needs TLS: the join token and the certificate must not cross the network in"
              + " clear");
      return;
    }
    if (PeerCertificate.of(ctx.channel()).isPresent()) {
      refuse(
          ctx,
          remote,
          hostId,
          Refusal.Code.ENROLMENT_REFUSED,
          "this connection presents a client certificate already; an enrolled agent renews over"
              + " its link, it does not enrol again");
      return;
    }
    Optional<String> badId = HostIds.problem(hostId);
    if (badId.isPresent()) {
      refuse(ctx, remote, hostId, Refusal.Code.INVALID_HOST_ID, badId.get());
      return;
    }
    onWorker(ctx, remote, hostId, () -> enrolOnWorker(ctx, remote, request, settings.get()));
  }

  /** Answers a renewal request of a welcomed session, on the event loop. */
  void renew(ChannelHandlerContext ctx, Session session, RenewRequest request) {
    String remote = session.remoteAddress();
    Optional<PeerCertificate> current = PeerCertificate.of(ctx.channel());
    if (!session.renewalDue(clock.millis(), RENEWAL_INTERVAL_MILLIS)) {
      refuse(
          ctx,
          remote,
          session.hostId(),
          Refusal.Code.ENROLMENT_REFUSED,
          "at most one renewal every " + RENEWAL_INTERVAL_MILLIS / 1000 + " s per connection");
      return;
    }
    if (settings.isEmpty()) {
      // An agent enrolled with this server's CA while the server now runs with explicit --tls-*
      // flags: its session is fine, only renewal is not offered. A refusal would close the session
      // and the agent would ask again at its next Welcome, a loop; unanswered, it asks once a
      // minute and its certificate runs out as it would have.
      log.warn(
          "agent host id '{}' asked to renew its certificate, but this server issues none (it"
              + " runs with explicit --tls-* flags); the agent's certificate is not renewed",
          session.hostId());
      return;
    }
    if (current.isEmpty()) {
      refuse(
          ctx,
          remote,
          session.hostId(),
          Refusal.Code.ENROLMENT_REFUSED,
          "renewal needs mutual TLS: this connection presents no client certificate");
      return;
    }
    onWorker(
        ctx,
        remote,
        session.hostId(),
        () -> renewOnWorker(ctx, session, current.get(), request, settings.get()));
  }

  private void enrolOnWorker(
      ChannelHandlerContext ctx, String remote, EnrollRequest request, Settings s)
      throws IOException {
    String hostId = request.getHostId();
    s.tokens().refresh(); // tokens made a moment ago by ogp tokens create count
    Optional<String> badToken = s.tokens().joinRefusal(request.getJoinToken());
    if (badToken.isPresent()) {
      refuse(ctx, remote, hostId, Refusal.Code.BAD_TOKEN, badToken.get());
      return;
    }
    Optional<Refusal> revoked = HelloCheck.revoked(bindings, hostId, null);
    if (revoked.isPresent()) {
      refuse(ctx, remote, hostId, revoked.get());
      return;
    }
    Optional<HostBindings.Binding> bound = bindings.binding(hostId);
    PublicKey key;
    try {
      key = CertificateRequests.publicKey(request.getCsr().toByteArray());
    } catch (CertificateRequests.Refused e) {
      refuse(ctx, remote, hostId, Refusal.Code.ENROLMENT_REFUSED, e.getMessage());
      return;
    }
    String identity = identityOf(key);
    if (bound.isPresent() && !bound.get().identity().equals(identity)) {
      refuse(ctx, remote, hostId, mismatch(hostId, bound.get()));
      return;
    }
    Optional<Refusal> revokedKey = HelloCheck.revoked(bindings, hostId, identity);
    if (revokedKey.isPresent()) {
      refuse(ctx, remote, hostId, revokedKey.get());
      return;
    }
    if (!ctx.channel().isActive()) {
      // The agent gave up waiting (or its link dropped) while the request queued: spending a use
      // and binding the key now would leave an answer nobody reads. It retries with the same key.
      log.info(
          "dropped the enrolment of host id {} from {}: the connection closed while it waited",
          LogText.quote(hostId, SessionHandler.HOST_ID_SHOWN),
          remote);
      return;
    }
    // The use is on disk before anything is issued: a crash now loses a use, never grants one.
    TokenStore.JoinUse use = s.tokens().consumeJoinUse(request.getJoinToken());
    if (use instanceof TokenStore.JoinUse.Refused refused) {
      refuse(ctx, remote, hostId, Refusal.Code.BAD_TOKEN, refused.reason());
      return;
    }
    TokenStore.JoinUse.Spent spent = (TokenStore.JoinUse.Spent) use;
    HostBindings.Claim claim = bindings.claimForEnrolment(hostId, identity, clock.instant());
    if (claim instanceof HostBindings.Claim.HeldByAnother another) {
      refuse(ctx, remote, hostId, mismatch(hostId, another.binding()));
      return;
    }
    X509Certificate certificate = s.ca().issueAgent(hostId, key, s.agentCertificateLifetime());
    EnrollResponse response =
        EnrollResponse.newBuilder()
            .setCertificate(der(certificate))
            .setCaCertificate(der(s.ca().certificate().certificate()))
            .build();
    ctx.writeAndFlush(Envelope.newBuilder().setEnrollResponse(response).build())
        .addListener(ChannelFutureListener.CLOSE);
    log.info(
        "agent host id '{}' enrolled from {} with join token '{}' ({}); certificate valid until {}",
        hostId,
        remote,
        spent.grant().name(),
        spent.usesLeft().map(u -> u + " use(s) left").orElse("unlimited uses"),
        certificate.getNotAfter().toInstant());
    events.enrolled(hostId, spent.grant().name(), certificate.getNotAfter().toInstant());
  }

  private void renewOnWorker(
      ChannelHandlerContext ctx,
      Session session,
      PeerCertificate current,
      RenewRequest request,
      Settings s) {
    String hostId = session.hostId();
    String remote = session.remoteAddress();
    Optional<Refusal> revoked =
        HelloCheck.revoked(bindings, hostId, HelloCheck.identityOf(current));
    if (revoked.isPresent()) {
      refuse(ctx, remote, hostId, revoked.get());
      return;
    }
    PublicKey key;
    try {
      key = CertificateRequests.publicKey(request.getCsr().toByteArray());
    } catch (CertificateRequests.Refused e) {
      refuse(ctx, remote, hostId, Refusal.Code.ENROLMENT_REFUSED, e.getMessage());
      return;
    }
    if (!identityOf(key).equals(HelloCheck.identityOf(current))) {
      refuse(
          ctx,
          remote,
          hostId,
          Refusal.Code.ENROLMENT_REFUSED,
          "the CSR is not for the key of the current certificate; renewal keeps the key (a new key"
              + " needs a new enrolment after ogp hosts release "
              + hostId
              + ")");
      return;
    }
    X509Certificate certificate = s.ca().issueAgent(hostId, key, s.agentCertificateLifetime());
    ctx.writeAndFlush(
        Envelope.newBuilder()
            .setRenewResponse(RenewResponse.newBuilder().setCertificate(der(certificate)))
            .build());
    log.info(
        "agent host id '{}' renewed its certificate; valid until {}",
        hostId,
        certificate.getNotAfter().toInstant());
    events.renewed(hostId, certificate.getNotAfter().toInstant());
  }

  /** Runs {@code work} on the worker; anything it throws refuses the request, logged once. */
  private void onWorker(ChannelHandlerContext ctx, String remote, String hostId, Work work) {
    try {
      worker.execute(
          () -> {
            try {
              work.run();
            } catch (Exception | Error e) {
              log.warn(
                  "cannot answer the certificate request of host id {}: {}",
                  LogText.quote(hostId, SessionHandler.HOST_ID_SHOWN),
                  LogText.quote(e.toString(), SessionHandler.REASON_SHOWN));
              send(
                  ctx,
                  HelloCheck.refusal(
                      Refusal.Code.ENROLMENT_REFUSED,
                      "the server could not issue a certificate; its log says why"));
            }
          });
    } catch (RejectedExecutionException busyOrClosing) {
      refuse(
          ctx,
          remote,
          hostId,
          Refusal.Code.ENROLMENT_REFUSED,
          "the server is busy with " + QUEUE + " certificate requests; try again in a moment");
    }
  }

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  private static Refusal mismatch(String hostId, HostBindings.Binding holder) {
    return HelloCheck.refusal(
        Refusal.Code.IDENTITY_MISMATCH,
        "host id '"
            + hostId
            + "' is bound to another agent's identity since "
            + holder.firstSeen()
            + "; an enrolment cannot take a bound host id: if this agent replaces that one, an"
            + " admin releases the name first: ogp hosts release "
            + hostId);
  }

  private void refuse(
      ChannelHandlerContext ctx, String remote, String hostId, Refusal.Code code, String reason) {
    refuse(ctx, remote, hostId, HelloCheck.refusal(code, reason));
  }

  private void refuse(ChannelHandlerContext ctx, String remote, String hostId, Refusal refusal) {
    log.warn(
        "refused the certificate request of host id {} from {}: {} ({})",
        LogText.quote(hostId, SessionHandler.HOST_ID_SHOWN),
        remote,
        refusal.getCode(),
        LogText.quote(refusal.getReason(), SessionHandler.REASON_SHOWN));
    send(ctx, refusal);
  }

  private static void send(ChannelHandlerContext ctx, Refusal refusal) {
    ctx.writeAndFlush(Envelope.newBuilder().setRefusal(refusal).build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** The identity a certificate for {@code key} gives its holder ({@link PeerCertificate}). */
  static String identityOf(PublicKey key) {
    return "cert-sha256:" + HelloCheck.sha256(key.getEncoded());
  }

  private static ByteString der(X509Certificate certificate) {
    try {
      return ByteString.copyFrom(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a certificate this CA made", e);
    }
  }
}
