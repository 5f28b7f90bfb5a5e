package ogp.agent.identity;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import ogp.agent.replicas.RedirectCheck;
import ogp.agent.replicas.ServerAddress;
import ogp.protocol.HostIds;
import ogp.protocol.Protocol;
import ogp.protocol.tls.CaHash;
import ogp.protocol.v1.EnrollRequest;
import ogp.protocol.v1.EnrollResponse;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Redirect;
import ogp.protocol.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ogp agent enroll}: gets this agent its client certificate from the server, once.
 *
 * <p>Policy, in order: the host id must be a DNS label and the pin a {@link CaHash}; the agent's EC
 * P-256 key is made here and written first ({@code identity/agent.key}, mode 0600); the TLS
 * connection trusts the server only through the pinned CA ({@link PinnedCaTrust}: no trust on first
 * use, the server's name checked); the request carries the host id, the join token and a CSR — the
 * private key is never sent; the answer's certificate must be for this key and signed by the pinned
 * CA, and the CA it names must be the pinned one. Only then are {@code agent.crt}, {@code ca.crt}
 * and {@code enrolment.json} written. A refusal of the server, a wrong pin or a bad answer is an
 * {@link EnrolmentFailed} with one sentence.
 *
 * <p>Replicas ({@code --server a:7070,b:7070}): the servers are tried in order. One that cannot be
 * reached, or that knows no leader ({@code NOT_LEADER}), passes to the next. A Redirect to the
 * leader is followed at once when its address is in the list and its epoch is not below the highest
 * the agent has seen (otherwise it is refused, logged, and the next server tried). Any other answer
 * — an enrolment, a refusal, a pin that does not match — ends the enrolment. The enrolment records
 * the whole list, so {@code ogp agent} dials the same replicas.
 */
public final class Enroller {
  private static final Logger log = LoggerFactory.getLogger(Enroller.class);

  /** How long connecting, and then the whole exchange, may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param servers the server's replicas (one for a single server), each a name or address as its
   *     certificate names it, tried in this order
   * @param joinToken a join token of the server ({@code ogp tokens create --kind join})
   * @param caHash the pin of the server's CA ({@code sha256:…})
   * @param highestEpoch the highest leader epoch this agent has seen ({@link
   *     ogp.agent.replicas.LeaderEpoch}): a redirect below it is refused
   */
  public record Request(
      List<ServerAddress> servers,
      String joinToken,
      String caHash,
      String hostId,
      EnrolledIdentity to,
      long highestEpoch) {
    public Request {
      servers = List.copyOf(servers);
      if (servers.isEmpty()) throw new IllegalArgumentException("no server to enrol with");
      Objects.requireNonNull(joinToken, "joinToken");
      Objects.requireNonNull(caHash, "caHash");
      Objects.requireNonNull(to, "to");
    }

    /** One server. */
    public Request(
        String host,
        int port,
        String joinToken,
        String caHash,
        String hostId,
        EnrolledIdentity to) {
      this(List.of(new ServerAddress(host, port)), joinToken, caHash, hostId, to, 0);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
      return "Request["
          + ServerAddress.format(servers)
          + ", hostId="
          + hostId
          + ", caHash="
          + caHash
          + "]";
    }
  }

  /** The enrolment did not happen; the message is one sentence for the operator. */
  public static final class EnrolmentFailed extends Exception {
    public EnrolmentFailed(String message) {
      super(message);
    }
  }

  private Enroller() {}

  /** Enrols and returns the certificate received (already written with the rest). */
  public static X509Certificate enrol(Request r) throws EnrolmentFailed, IOException {
    HostIds.problem(r.hostId())
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    String pin =
        CaHash.parse(r.caHash())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--ca-hash must be sha256: and 64 hex digits, got '" + r.caHash() + "'"));
    // A key left by an enrolment whose answer never came is used again: the server may have bound
    // the host id to it already, and a new key would then be refused as another identity.
    KeyPair keys;
    if (Files.exists(r.to().keyFile())) {
      keys = CertificateRequest.keyPairOf(r.to().readKey());
    } else {
      keys = CertificateRequest.newKeyPair();
      r.to().writeKey(keys.getPrivate()); // first: the key exists on this host before any request
    }
    byte[] csr = CertificateRequest.der(r.hostId(), keys.getPublic(), keys.getPrivate());
    EnrollResponse response = exchangeWithAny(r, pin, csr);
    X509Certificate ca =
        EnrolledIdentity.certificate(
            response.getCaCertificate().toByteArray(), "the CA certificate the server sent");
    X509Certificate certificate =
        EnrolledIdentity.certificate(
            response.getCertificate().toByteArray(), "the certificate the server sent");
    if (!CaHash.of(ca).equals(pin)) {
      throw new EnrolmentFailed(
          "the server answered with another CA than the pinned one: expected "
              + pin
              + ", got "
              + CaHash.of(ca));
    }
    if (!certificate.getPublicKey().equals(keys.getPublic())) {
      throw new EnrolmentFailed("the server's certificate is not for this agent's key");
    }
    try {
      certificate.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new EnrolmentFailed("the server's certificate is not signed by the pinned CA");
    }
    r.to().writeCertificate(certificate);
    r.to()
        .complete(
            ca, new EnrolledIdentity.Enrolment(ServerAddress.format(r.servers()), r.hostId()));
    return certificate;
  }

  /** Why one server gave no enrolment and the next may: unreachable or not the leader. */
  private static final class TryNext extends Exception {
    TryNext(String message) {
      super(message);
    }
  }

  /** A replica that does not lead named the leader. */
  private static final class Redirected extends Exception {
    final Redirect redirect;

    Redirected(Redirect redirect) {
      super("redirected", null, false, false);
      this.redirect = redirect;
    }
  }

  /**
   * The servers in order, a valid redirect's target first; the first enrolment answer wins. At most
   * as many redirects as servers are followed, so replicas that disagree cannot keep it going.
   */
  private static EnrollResponse exchangeWithAny(Request r, String pin, byte[] csr)
      throws EnrolmentFailed, IOException {
    Deque<ServerAddress> toTry = new ArrayDeque<>(r.servers());
    List<String> failures = new ArrayList<>();
    int redirects = 0;
    while (!toTry.isEmpty()) {
      ServerAddress server = toTry.removeFirst();
      try {
        return exchange(r, server, new PinnedCaTrust(pin), csr);
      } catch (TryNext e) {
        log.info("{}; trying the next server", e.getMessage());
        failures.add(e.getMessage());
      } catch (Redirected e) {
        RedirectCheck check = RedirectCheck.of(e.redirect, r.servers(), r.highestEpoch());
        if (!check.followed()) {
          String why = "refused the redirect of " + server + " " + check.refusal();
          log.error("{}", why);
          failures.add(why);
        } else if (redirects++ < r.servers().size()) {
          ServerAddress leader = check.target().get();
          log.info("{} redirects to the leader at {}", server, leader);
          toTry.addFirst(leader);
        } else {
          failures.add(
              "refused the redirect of "
                  + server
                  + ": one too many, the replicas disagree on the"
                  + " leader");
        }
      }
    }
    if (failures.size() == 1) throw new EnrolmentFailed(failures.get(0));
    throw new EnrolmentFailed(
        "cannot enrol with any of "
            + ServerAddress.format(r.servers())
            + ": "
            + String.join("; ", failures));
  }

  private static EnrollResponse exchange(
      Request r, ServerAddress server, PinnedCaTrust trust, byte[] csr)
      throws EnrolmentFailed, IOException, TryNext, Redirected {
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {trust}, new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no TLS", e);
    }
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(server.host(), server.port()), (int) TIMEOUT.toMillis());
    } catch (IOException e) {
      plain.close();
      throw new TryNext("cannot connect to " + server + ": " + e.getMessage());
    }
    try (SSLSocket socket =
        (SSLSocket)
            context.getSocketFactory().createSocket(plain, server.host(), server.port(), true)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      // Chain validation alone would accept any certificate the CA signed: the name must match.
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      if (!server.host().matches("[0-9.]+|.*:.*")) {
        parameters.setServerNames(List.of(new SNIHostName(server.host())));
      }
      socket.setSSLParameters(parameters);
      try {
        socket.startHandshake();
      } catch (SSLException e) {
        throw new EnrolmentFailed(
            "refusing to enrol with "
                + server
                + ": "
                + trust.failure().orElse("the TLS handshake failed: " + e.getMessage()));
      }
      if (trust.pinnedCa().isEmpty()) {
        throw new EnrolmentFailed("refusing to enrol: the server's CA was not checked");
      }
      OutputStream out = socket.getOutputStream();
      Envelope.newBuilder()
          .setEnrollRequest(
              EnrollRequest.newBuilder()
                  .setHostId(r.hostId())
                  .setJoinToken(r.joinToken().strip())
                  .setCsr(ByteString.copyFrom(csr)))
          .build()
          .writeDelimitedTo(out);
      out.flush();
      Envelope answer = read(socket.getInputStream());
      return switch (answer.getBodyCase()) {
        case ENROLL_RESPONSE -> answer.getEnrollResponse();
        case REDIRECT -> throw new Redirected(answer.getRedirect());
        case REFUSAL -> {
          if (answer.getRefusal().getCode() == Refusal.Code.NOT_LEADER) {
            throw new TryNext(server + " is not the leader and knows no leader yet");
          }
          throw new EnrolmentFailed(
              "the server refused the enrolment: "
                  + answer.getRefusal().getCode()
                  + " ("
                  + answer.getRefusal().getReason()
                  + ")");
        }
        default ->
            throw new EnrolmentFailed(
                "the server answered " + answer.getBodyCase() + ", not an enrolment");
      };
    } catch (java.net.SocketTimeoutException e) {
      throw new EnrolmentFailed("the server did not answer within " + TIMEOUT.toSeconds() + " s");
    }
  }

  /** One length-prefixed Envelope, refused above {@link Protocol#MAX_FRAME_BYTES}. */
  private static Envelope read(InputStream in) throws IOException, EnrolmentFailed {
    int first = in.read();
    if (first == -1) {
      throw new EnrolmentFailed("the server closed the connection without an answer");
    }
    int length = CodedInputStream.readRawVarint32(first, in);
    if (length < 0 || length > Protocol.MAX_FRAME_BYTES) {
      throw new EnrolmentFailed("the server's answer is " + length + " bytes long; refused");
    }
    byte[] frame = in.readNBytes(length);
    if (frame.length != length) {
      throw new EnrolmentFailed("the server closed the connection in the middle of its answer");
    }
    return Envelope.parseFrom(frame);
  }
}
