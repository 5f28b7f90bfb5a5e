package ogp.reconciler.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import ogp.agent.identity.EnrolledIdentity;
import ogp.agent.identity.Enroller;
import ogp.protocol.tls.CaHash;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.IssuedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's private key is made on the host, kept owner-only, and never sent: a TLS server of the
 * pinned CA records every byte the enrolling agent sends after decryption, and neither the key's
 * PKCS#8 encoding nor its private scalar is among them.
 */
class AgentPrivateKeyTest {
  @TempDir Path dir;

  @Test
  void theKeyFileIsOwnerOnlyAndItsBytesNeverAppearInWhatTheAgentSends() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.create("test-ca", Clock.systemUTC(), new SecureRandom());
    IssuedCertificate server = ca.issueServer("localhost", List.of("127.0.0.1"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server",
        server.privateKey(),
        new char[0],
        new X509Certificate[] {server.certificate(), ca.certificate().certificate()});
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX");
    keyManagers.init(keys, new char[0]);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, new SecureRandom());

    try (SSLServerSocket listening =
        (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0)) {
      CompletableFuture<byte[]> sent =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket socket = (SSLSocket) listening.accept()) {
                  socket.setSoTimeout(10_000);
                  InputStream in = socket.getInputStream();
                  ByteArrayOutputStream received = new ByteArrayOutputStream();
                  Envelope request = Envelope.parseDelimitedFrom(in);
                  request.writeDelimitedTo(received);
                  Envelope.newBuilder()
                      .setRefusal(
                          Refusal.newBuilder()
                              .setCode(Refusal.Code.BAD_TOKEN)
                              .setReason("recorded, not enrolled"))
                      .build()
                      .writeDelimitedTo(socket.getOutputStream());
                  socket.getOutputStream().flush();
                  return received.toByteArray();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      EnrolledIdentity identity = EnrolledIdentity.in(dir.resolve("agent"));

      Enroller.EnrolmentFailed failed =
          assertThrows(
              Enroller.EnrolmentFailed.class,
              () ->
                  Enroller.enrol(
                      new Enroller.Request(
                          "localhost",
                          listening.getLocalPort(),
                          "some-join-token",
                          CaHash.of(ca.certificate().certificate()),
                          "host-a",
                          identity)));
      assertTrue(failed.getMessage().contains("recorded, not enrolled"), failed.getMessage());

      byte[] wire = sent.get(10, TimeUnit.SECONDS);
      assertTrue(
          Envelope.parseDelimitedFrom(new java.io.ByteArrayInputStream(wire)).hasEnrollRequest());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(identity.keyFile())));
      ECPrivateKey key = (ECPrivateKey) identity.readKey();
      assertFalse(contains(wire, key.getEncoded()), "the PKCS#8 key was sent");
      byte[] scalar = key.getS().toByteArray();
      assertFalse(contains(wire, scalar), "the private scalar was sent");
      assertFalse(contains(wire, Files.readAllBytes(identity.keyFile())), "the key file was sent");
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }
}
