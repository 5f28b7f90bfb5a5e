package ogp.reconciler.agents;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import ogp.protocol.HostIds;
import ogp.protocol.LogText;
import ogp.protocol.Protocol;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.auth.TokenVerifier;

/**
 * Decides whether a Hello may open a session, in this order: the protocol version must be exactly
 * {@link Protocol#VERSION}; the host id must be a DNS label ({@link HostIds}); on a server that
 * enrols agents the connection must present a client certificate (TLS_REQUIRED); the agent must
 * hold a credential: a client certificate the TLS layer verified against the client CA (an enrolled
 * agent has no join token any more), or else a valid token whose role {@link Permission#JOIN}
 * allows (an API token is no join token; a used-up or expired one is refused); under mutual TLS the
 * host id must be a name of the client certificate; the host must not be revoked, nor its identity
 * (REVOKED, checked after the credential, so a stranger learns nothing); and the Hello's identity —
 * the client certificate's public key under mutual TLS, else the agent's host key — must be the one
 * {@link HostBindings} has for the host id, or the host id must be unbound (then this Hello binds
 * it, with its labels). Another identity is refused with IDENTITY_MISMATCH, whether or not the
 * holder is connected, and the refusal says how to release the name.
 *
 * <p>Memory only (the token check and the binding claim do no I/O), so it may run on an event loop.
 * The handler does the refusing and the logging; neither ever shows the presented token or key.
 */
final class HelloCheck {
  /** Bytes of an agent's host key. */
  static final int HOST_KEY_BYTES = 32;

  private final TokenVerifier tokens;
  private final HostBindings bindings;
  private final boolean certificateRequired;

  HelloCheck(TokenVerifier tokens, HostBindings bindings) {
    this(tokens, bindings, false);
  }

  /**
   * @param certificateRequired a server that enrols agents lets connections without a client
   *     certificate through TLS (to enrol); their Hello is refused with TLS_REQUIRED
   */
  HelloCheck(TokenVerifier tokens, HostBindings bindings, boolean certificateRequired) {
    this.tokens = tokens;
    this.bindings = bindings;
    this.certificateRequired = certificateRequired;
  }

  /** Either a refusal to send or the binding the session holds its host id by. */
  record Verdict(Optional<Refusal> refusal, HostBindings.Binding binding) {
    static Verdict refused(Refusal.Code code, String reason) {
      return new Verdict(Optional.of(HelloCheck.refusal(code, reason)), null);
    }
  }

  /** The labels bound to a host id now, or empty when it is not bound. */
  Optional<Map<String, String>> boundLabels(String hostId) {
    return bindings.binding(hostId).map(HostBindings.Binding::labels);
  }

  /**
   * The verdict on a Hello.
   *
   * @param clientCertificate the verified client certificate of the connection, if it has one
   */
  Verdict check(Hello hello, Optional<PeerCertificate> clientCertificate, Instant now) {
    if (hello.getProtocolVersion() != Protocol.VERSION) {
      return Verdict.refused(
          Refusal.Code.UNSUPPORTED_PROTOCOL,
          "protocol version "
              + hello.getProtocolVersion()
              + " is not supported; this server speaks "
              + Protocol.VERSION);
    }
    String hostId = hello.getHostId();
    Optional<String> badId = HostIds.problem(hostId);
    if (badId.isPresent()) {
      return Verdict.refused(Refusal.Code.INVALID_HOST_ID, badId.get());
    }
    if (certificateRequired && clientCertificate.isEmpty()) {
      return Verdict.refused(
          Refusal.Code.TLS_REQUIRED,
          "this server requires mutual TLS: enrol this agent first (ogp agent enroll --server ..."
              + " --token ... --ca-hash ...), then run ogp agent with the same --data-dir");
    }
    boolean joins =
        clientCertificate.isPresent()
            || tokens
                .verify(hello.getJoinToken())
                .filter(g -> Permission.JOIN.allows(g.role()))
                .isPresent();
    if (!joins) {
      return Verdict.refused(
          Refusal.Code.BAD_TOKEN,
          "join token refused; copy <data-dir>/join-token of the server to the agent");
    }
    // Checked after the token so that a stranger learns nothing about certificates or bindings.
    if (clientCertificate.isPresent() && !clientCertificate.get().names(hostId)) {
      return Verdict.refused(
          Refusal.Code.IDENTITY_MISMATCH,
          "host id '"
              + hostId
              + "' is not a name of the client certificate "
              + LogText.quote(String.valueOf(clientCertificate.get().names()))
              + "; issue the agent a certificate for its host id (ogp certs agent --host-id ...)");
    }
    String identity;
    if (clientCertificate.isPresent()) {
      identity = identityOf(clientCertificate.get());
    } else if (hello.getHostKey().size() == HOST_KEY_BYTES) {
      identity = "key-sha256:" + sha256(hello.getHostKey().toByteArray());
    } else {
      return Verdict.refused(
          Refusal.Code.PROTOCOL_ERROR,
          "Hello without a host key of "
              + HOST_KEY_BYTES
              + " bytes; upgrade the agent (it keeps its key in <data-dir>/host-key)");
    }
    Optional<Refusal> revoked = revoked(bindings, hostId, identity);
    if (revoked.isPresent()) {
      return new Verdict(revoked, null);
    }
    HostBindings.Claim claim = bindings.claim(hostId, identity, hello.getLabelsMap(), now);
    if (claim instanceof HostBindings.Claim.HeldByAnother another) {
      return Verdict.refused(
          Refusal.Code.IDENTITY_MISMATCH,
          "host id '"
              + hostId
              + "' is bound to another agent's identity since "
              + another.binding().firstSeen()
              + "; if this agent replaces that one (a new machine, a lost data dir), an admin"
              + " releases the name first: ogp hosts release "
              + hostId);
    }
    return new Verdict(Optional.empty(), ((HostBindings.Claim.Held) claim).binding());
  }

  /**
   * REVOKED when the host id is revoked or the identity is; the reason says what an operator can
   * do. Shared by the Hello, enrolment and renewal.
   */
  /** The REVOKED refusal of {@code hostId} if an admin revoked it by now, else empty. */
  Optional<Refusal> revokedNow(String hostId) {
    return revoked(bindings, hostId, null);
  }

  static Optional<Refusal> revoked(HostBindings bindings, String hostId, String identity) {
    Optional<java.time.Instant> at = bindings.revokedAt(hostId);
    if (at.isPresent()) {
      return Optional.of(
          refusal(
              Refusal.Code.REVOKED,
              "host id '"
                  + hostId
                  + "' was revoked at "
                  + at.get()
                  + "; its containers are left running. To let a new agent take the name, an admin"
                  + " runs ogp hosts release "
                  + hostId
                  + " and the agent enrols again with a new key"));
    }
    if (identity != null && bindings.isRevokedIdentity(identity)) {
      return Optional.of(
          refusal(
              Refusal.Code.REVOKED,
              "this agent's identity was revoked and is refused for good; enrol again with a new"
                  + " key (ogp agent enroll) after an admin released the host id"));
    }
    return Optional.empty();
  }

  /** The identity of a client certificate, as bindings keep it. */
  static String identityOf(PeerCertificate certificate) {
    return "cert-sha256:" + certificate.publicKeySha256();
  }

  static Refusal refusal(Refusal.Code code, String reason) {
    return Refusal.newBuilder().setCode(code).setReason(reason).build();
  }

  /** Lower-case hex SHA-256. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
