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
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import ogp.protocol.HostIds;
import ogp.protocol.Protocol;
import ogp.protocol.tls.CaHash;
import ogp.protocol.v1.EnrollRequest;
import ogp.protocol.v1.EnrollResponse;
import ogp.protocol.v1.Envelope;

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
 */
public final class Enroller {
  /** How long connecting, and then the whole exchange, may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param host the server's name or address, as its certificate names it
   * @param joinToken a join token of the server ({@code ogp tokens create --kind join})
   * @param caHash the pin of the server's CA ({@code sha256:…})
   */
  public record Request(
      String host, int port, String joinToken, String caHash, String hostId, EnrolledIdentity to) {
    public Request {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(joinToken, "joinToken");
      Objects.requireNonNull(caHash, "caHash");
      Objects.requireNonNull(to, "to");
    }

    /** Never shows the token. */
    @Override
    public String toString() {
      return "Request[" + host + ":" + port + ", hostId=" + hostId + ", caHash=" + caHash + "]";
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
    PinnedCaTrust trust = new PinnedCaTrust(pin);
    EnrollResponse response = exchange(r, trust, csr);
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
    r.to().complete(ca, new EnrolledIdentity.Enrolment(r.host() + ":" + r.port(), r.hostId()));
    return certificate;
  }

  private static EnrollResponse exchange(Request r, PinnedCaTrust trust, byte[] csr)
      throws EnrolmentFailed, IOException {
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {trust}, new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no TLS", e);
    }
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(r.host(), r.port()), (int) TIMEOUT.toMillis());
    } catch (IOException e) {
      plain.close();
      throw new EnrolmentFailed(
          "cannot connect to " + r.host() + ":" + r.port() + ": " + e.getMessage());
    }
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket(plain, r.host(), r.port(), true)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      // Chain validation alone would accept any certificate the CA signed: the name must match.
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      if (!r.host().matches("[0-9.]+|.*:.*")) {
        parameters.setServerNames(List.of(new SNIHostName(r.host())));
      }
      socket.setSSLParameters(parameters);
      try {
        socket.startHandshake();
      } catch (SSLException e) {
        throw new EnrolmentFailed(
            "refusing to enrol with "
                + r.host()
                + ":"
                + r.port()
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
        case REFUSAL ->
            throw new EnrolmentFailed(
                "the server refused the enrolment: "
                    + answer.getRefusal().getCode()
                    + " ("
                    + answer.getRefusal().getReason()
                    + ")");
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
