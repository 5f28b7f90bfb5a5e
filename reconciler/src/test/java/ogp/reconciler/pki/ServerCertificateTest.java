package ogp.reconciler.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's own certificate next to its CA: issued once, kept, re-issued only for a reason. */
class ServerCertificateTest {
  @TempDir Path dir;
  private final MutableClock clock = MutableClock.at("2026-12-07T06:00:00Z");
  private final SecureRandom random = new SecureRandom();
  private final ServerNames names = ServerNames.parse(List.of("ogp.example.com", "10.0.0.5"));

  @Test
  void theFirstStartIssuesACertificateForTheNamesWithTheCaInItsChainAndAPrivateKey()
      throws Exception {
    ServerPki pki = ServerPki.loadOrCreate(dir, "test", clock, random);

    ServerCertificate.Result result = ServerCertificate.ensure(dir, pki.ca(), names, clock);

    assertEquals("there was none", result.reissued().orElseThrow());
    List<X509Certificate> chain = PemFiles.readCertificates(result.certificate());
    assertEquals(2, chain.size(), "leaf and CA");
    assertEquals(pki.ca().certificate().certificate(), chain.get(1));
    chain.get(0).verify(chain.get(1).getPublicKey());
    assertTrue(ServerNames.of(chain.get(0)).sameNames(names));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(result.privateKey())));
  }

  @Test
  void aSecondStartWithTheSameNamesKeepsTheCertificate() throws Exception {
    ServerPki pki = ServerPki.loadOrCreate(dir, "test", clock, random);
    ServerCertificate.ensure(dir, pki.ca(), names, clock);
    String before = Files.readString(dir.resolve(ServerCertificate.CERTIFICATE));

    ServerCertificate.Result again =
        ServerCertificate.ensure(
            dir, pki.ca(), ServerNames.parse(List.of("10.0.0.5", "OGP.example.com")), clock);

    assertTrue(again.reissued().isEmpty(), again.toString());
    assertEquals(before, Files.readString(dir.resolve(ServerCertificate.CERTIFICATE)));
  }

  @Test
  void otherNamesAreIssuedANewCertificate() throws Exception {
    ServerPki pki = ServerPki.loadOrCreate(dir, "test", clock, random);
    ServerCertificate.ensure(dir, pki.ca(), names, clock);
    ServerNames more = ServerNames.parse(List.of("ogp.example.com", "10.0.0.5", "10.0.0.6"));

    ServerCertificate.Result result = ServerCertificate.ensure(dir, pki.ca(), more, clock);

    assertTrue(result.reissued().orElseThrow().contains("10.0.0.6"), result.toString());
    X509Certificate leaf = PemFiles.readCertificates(result.certificate()).get(0);
    assertTrue(ServerNames.of(leaf).sameNames(more));
  }

  @Test
  void aCertificateExpiringWithinThirtyDaysIsReissuedAndOneWithMoreLeftIsKept() throws Exception {
    ServerPki pki = ServerPki.loadOrCreate(dir, "test", clock, random);
    ServerCertificate.ensure(dir, pki.ca(), names, clock);

    clock.advance(Duration.ofDays(CertificateAuthority.LEAF_DAYS - 31));
    assertTrue(ServerCertificate.ensure(dir, pki.ca(), names, clock).reissued().isEmpty());

    clock.advance(Duration.ofDays(2));
    ServerCertificate.Result result = ServerCertificate.ensure(dir, pki.ca(), names, clock);
    assertTrue(result.reissued().orElseThrow().contains("within 30 days"), result.toString());
    X509Certificate leaf = PemFiles.readCertificates(result.certificate()).get(0);
    assertTrue(leaf.getNotAfter().toInstant().isAfter(clock.instant().plus(Duration.ofDays(300))));
  }

  @Test
  void aCertificateOfAnotherCaOrWithAnotherKeyIsReissued() throws Exception {
    ServerPki pki = ServerPki.loadOrCreate(dir, "test", clock, random);
    ServerCertificate.ensure(dir, pki.ca(), names, clock);
    CertificateAuthority other = CertificateAuthority.create("other", clock, random);

    assertTrue(
        ServerCertificate.ensure(dir, other, names, clock)
            .reissued()
            .orElseThrow()
            .contains("not signed by this CA"));

    PemFiles.writePrivateKey(
        dir.resolve(ServerCertificate.KEY), other.issueAgent("x").privateKey());
    assertTrue(
        ServerCertificate.ensure(dir, other, names, clock)
            .reissued()
            .orElseThrow()
            .contains("does not match"));
  }

  @Test
  void namesAreDnsNamesOrAddressesAndAnythingElseIsRefusedWithTheEntry() {
    ServerNames parsed = ServerNames.parse(List.of("Ogp.Example.com", "::1", "127.0.0.1", "vm"));
    assertEquals(List.of("ogp.example.com", "vm"), parsed.dnsNames());
    assertEquals(List.of("0:0:0:0:0:0:0:1", "127.0.0.1"), parsed.ipAddresses());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> ServerNames.parse(List.of("ok", "not a name")));
    assertTrue(bad.getMessage().contains("'not a name'"), bad.getMessage());
  }
}
