package ogp.agent.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import ogp.protocol.HostIds;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.protocol.tls.AgentTls;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * An enrolled agent's identity, in {@code <data-dir>/identity/}: {@code agent.key} (its private
 * key, PKCS#8 PEM, mode 0600, made on this host and never sent), {@code agent.crt} (its client
 * certificate), {@code ca.crt} (the server's CA, pinned at enrolment) and {@code enrolment.json}
 * ({@code {"server": "HOST:PORT", "hostId": "…"}}).
 *
 * <p>Policy: every file is written atomically through {@link OwnerOnlyFile} (a renewed certificate
 * replaces the old one whole or not at all); {@code enrolment.json} is written last, so its
 * presence means the enrolment completed. Errors name the file, never a key's content.
 */
public final class EnrolledIdentity {
  public static final String DIR = "identity";
  public static final String KEY = "agent.key";
  public static final String CERTIFICATE = "agent.crt";
  public static final String CA = "ca.crt";
  public static final String ENROLMENT = "enrolment.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  private EnrolledIdentity(Path dir) {
    this.dir = dir;
  }

  /** The identity directory of an agent data dir (whether or not it holds an enrolment). */
  public static EnrolledIdentity in(Path dataDir) {
    return new EnrolledIdentity(dataDir.resolve(DIR));
  }

  /** Where an enrolment was made to and as which host, when this data dir holds a complete one. */
  public record Enrolment(String server, String hostId) {}

  /**
   * The completed enrolment, or empty when there is none.
   *
   * @throws IOException when {@code enrolment.json} is there but unreadable or incomplete
   */
  public Optional<Enrolment> enrolment() throws IOException {
    Path file = dir.resolve(ENROLMENT);
    if (!Files.exists(file)) return Optional.empty();
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + " is not an enrolment file; enrol again (ogp agent enroll)", e);
    }
    String server = root.path("server").asText("");
    String hostId = root.path("hostId").asText("");
    if (server.isEmpty() || HostIds.problem(hostId).isPresent()) {
      throw new IOException(
          file + " names no server or no valid host id; enrol again (ogp agent enroll)");
    }
    for (String name : new String[] {KEY, CERTIFICATE, CA}) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new IOException(
            dir.resolve(name) + " is missing; restore it or enrol again (ogp agent enroll)");
      }
    }
    return Optional.of(new Enrolment(server, hostId));
  }

  public Path dir() {
    return dir;
  }

  public Path keyFile() {
    return dir.resolve(KEY);
  }

  public Path certificateFile() {
    return dir.resolve(CERTIFICATE);
  }

  public Path caFile() {
    return dir.resolve(CA);
  }

  /** Mutual TLS with this identity: the pinned CA, the certificate and its key. */
  public AgentTls agentTls() {
    return new AgentTls(caFile(), Optional.of(certificateFile()), Optional.of(keyFile()));
  }

  /** Writes the private key (mode 0600, atomically); first, before anything is sent. */
  public void writeKey(PrivateKey key) throws IOException {
    Files.createDirectories(dir);
    OwnerOnlyFile.write(keyFile(), pem(new PemObject("PRIVATE KEY", key.getEncoded())));
  }

  public PrivateKey readKey() throws IOException {
    Path file = keyFile();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object item = parser.readObject();
      if (item instanceof PrivateKeyInfo pkcs8) {
        return new JcaPEMKeyConverter().getPrivateKey(pkcs8);
      }
      throw new IOException("no PKCS#8 private key in " + file);
    } catch (RuntimeException e) {
      throw new IOException("cannot read the private key file " + file, e);
    }
  }

  /** Replaces the certificate atomically (a reader sees the old one or the new one). */
  public void writeCertificate(X509Certificate certificate) throws IOException {
    OwnerOnlyFile.write(certificateFile(), pem(certificate));
  }

  public X509Certificate readCertificate() throws IOException {
    return certificate(Files.readAllBytes(certificateFile()), certificateFile().toString());
  }

  public X509Certificate readCa() throws IOException {
    return certificate(Files.readAllBytes(caFile()), caFile().toString());
  }

  /** Writes the CA certificate, then {@code enrolment.json}: the enrolment is complete. */
  public void complete(X509Certificate ca, Enrolment enrolment) throws IOException {
    OwnerOnlyFile.write(caFile(), pem(ca));
    ObjectNode root = JSON.createObjectNode();
    root.put("server", enrolment.server());
    root.put("hostId", enrolment.hostId());
    OwnerOnlyFile.write(dir.resolve(ENROLMENT), JSON.writeValueAsString(root) + "\n");
  }

  /** An X.509 certificate from DER or PEM bytes; {@code what} names them in an error. */
  public static X509Certificate certificate(byte[] bytes, String what) throws IOException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(bytes));
    } catch (CertificateException | ClassCastException e) {
      throw new IOException(what + " is not an X.509 certificate", e);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }
}
