package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import ogp.reconciler.pki.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ogp certs}: a CA and certificates with the extensions TLS peers check. */
class CertsCommandTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @TempDir Path dir;

  @Test
  void initServerAndAgentWriteACaAndLeavesItSigned() throws Exception {
    assertEquals(0, ogp("certs", "init", "--dir", dir.toString()).exit());
    OgpRun server =
        ogp(
            "certs",
            "server",
            "--dir",
            dir.toString(),
            "--name",
            "ogp.example.com",
            "--ip",
            "10.0.0.5");
    assertEquals(0, server.exit(), server.err());
    OgpRun agent = ogp("certs", "agent", "--dir", dir.toString(), "--host-id", "host-a");
    assertEquals(0, agent.exit(), agent.err());

    X509Certificate ca = PemFiles.readCertificates(dir.resolve("ca.crt")).get(0);
    assertEquals(0, ca.getBasicConstraints(), "a CA that signs leaves only");
    assertTrue(ca.getKeyUsage()[5], "keyCertSign");
    assertTrue(ca.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(3600))));

    X509Certificate leaf = PemFiles.readCertificates(dir.resolve("server.crt")).get(0);
    leaf.verify(ca.getPublicKey());
    assertEquals(-1, leaf.getBasicConstraints());
    assertEquals(List.of(SERVER_AUTH), leaf.getExtendedKeyUsage());
    assertEquals(
        List.of(List.of(2, "ogp.example.com"), List.of(7, "10.0.0.5")),
        leaf.getSubjectAlternativeNames().stream().toList());
    assertTrue(leaf.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(366))));
    assertEquals("EC", leaf.getPublicKey().getAlgorithm());

    X509Certificate agentCert = PemFiles.readCertificates(dir.resolve("agent-host-a.crt")).get(0);
    agentCert.verify(ca.getPublicKey());
    assertEquals(List.of(CLIENT_AUTH), agentCert.getExtendedKeyUsage());
    assertTrue(agentCert.getSubjectX500Principal().getName().contains("CN=host-a"));
    PemFiles.readPrivateKey(dir.resolve("agent-host-a.key"));

    for (String key : List.of("ca.key", "server.key", "agent-host-a.key")) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key))),
          key);
    }
  }

  @Test
  void initNeverOverwritesAnExistingCa() throws Exception {
    assertEquals(0, ogp("certs", "init", "--dir", dir.toString()).exit());
    byte[] before = Files.readAllBytes(dir.resolve("ca.key"));

    OgpRun again = ogp("certs", "init", "--dir", dir.toString());

    assertEquals(1, again.exit());
    assertTrue(again.err().contains("a CA already exists"), again.err());
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("ca.key")));
  }

  @Test
  void issuingWithoutACaSaysHowToMakeOne() {
    OgpRun run = ogp("certs", "server", "--dir", dir.toString(), "--name", "ogp.example.com");
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("ogp certs init"), run.err());
  }

  @Test
  void hostIdThatWouldLeaveTheDirectoryIsBadUsage() {
    assertEquals(0, ogp("certs", "init", "--dir", dir.toString()).exit());
    OgpRun run = ogp("certs", "agent", "--dir", dir.toString(), "--host-id", "../../etc/x");
    assertEquals(2, run.exit());
    assertTrue(Files.notExists(dir.resolve("../../etc/x.crt")));
  }

  @Test
  void serverNameThatIsNoDnsNameIsBadUsage() {
    assertEquals(0, ogp("certs", "init", "--dir", dir.toString()).exit());
    assertEquals(2, ogp("certs", "server", "--dir", dir.toString(), "--name", "bad name").exit());
    assertEquals(
        2,
        ogp("certs", "server", "--dir", dir.toString(), "--name", "ok.example", "--ip", "not-an-ip")
            .exit());
  }
}
