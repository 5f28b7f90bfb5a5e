package ogp.reconciler.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CertificateAuthority#issueAgent(String, java.security.PublicKey, Duration)}. */
class AgentCertificateTest {
  private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
  private final CertificateAuthority ca =
      CertificateAuthority.create("test-ca", Clock.fixed(NOW, ZoneOffset.UTC), new SecureRandom());

  @Test
  void anEnrolledAgentsCertificateIsForItsOwnKeyNamesItsHostIdAndLivesForTheGivenLifetime()
      throws Exception {
    KeyPair agent = p256();

    X509Certificate certificate = ca.issueAgent("host-a", agent.getPublic(), Duration.ofDays(30));

    certificate.verify(ca.certificate().certificate().getPublicKey());
    assertEquals(agent.getPublic(), certificate.getPublicKey());
    assertEquals(
        "host-a",
        new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName())
            .getRdns().stream()
                .filter(r -> r.getType().equals("CN"))
                .findFirst()
                .orElseThrow()
                .getValue());
    assertEquals(
        List.of(List.of(2, "host-a")), List.copyOf(certificate.getSubjectAlternativeNames()));
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), certificate.getExtendedKeyUsage()); // clientAuth
    assertEquals(-1, certificate.getBasicConstraints()); // not a CA
    assertEquals(NOW.plus(Duration.ofDays(30)), certificate.getNotAfter().toInstant());
    assertEquals(NOW.minus(Duration.ofHours(1)), certificate.getNotBefore().toInstant());
  }

  @Test
  void aShortLifetimeIsBackdatedByATenthSoRenewalAtTwoThirdsComesBeforeItEnds() throws Exception {
    X509Certificate certificate =
        ca.issueAgent("host-a", p256().getPublic(), Duration.ofSeconds(60));

    assertEquals(NOW.minusSeconds(6), certificate.getNotBefore().toInstant());
    assertEquals(NOW.plusSeconds(60), certificate.getNotAfter().toInstant());
  }

  @Test
  void aHostIdThatIsNoDnsNameOrALifetimeOfZeroIsRefused() throws Exception {
    KeyPair agent = p256();
    assertThrows(
        IllegalArgumentException.class,
        () -> ca.issueAgent("host a", agent.getPublic(), Duration.ofDays(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> ca.issueAgent("host-a", agent.getPublic(), Duration.ZERO));
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }
}
