package ogp.reconciler.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small private CA for one OGP fleet: it signs the server's certificate and one certificate per
 * agent, for TLS and mutual TLS on the agent link (and HTTPS if wanted).
 *
 * <p>Policy: EC P-256 keys and SHA-256 with ECDSA signatures (the JDK's own provider; BouncyCastle
 * only builds the certificates); the CA is valid for {@value #CA_DAYS} days and may sign only end
 * entities (path length 0); leaves are valid for {@value #LEAF_DAYS} days, are not CAs, may only
 * sign (digitalSignature) and carry exactly one purpose: serverAuth for the server, clientAuth for
 * an agent. A server certificate names its DNS name and optional IP addresses as subject
 * alternative names (what agents verify); an agent certificate carries its host id as CN and, when
 * the id is a valid DNS name, as a DNS name too (what the server checks against the Hello).
 * Validity starts an hour back so a peer's clock a little behind still accepts a fresh certificate.
 */
public final class CertificateAuthority {
  public static final int CA_DAYS = 3650;
  public static final int LEAF_DAYS = 365;
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private final IssuedCertificate ca;
  private final Clock clock;
  private final SecureRandom random;

  private CertificateAuthority(IssuedCertificate ca, Clock clock, SecureRandom random) {
    this.ca = ca;
    this.clock = clock;
    this.random = random;
  }

  /** A new CA with a fresh key, its subject {@code CN=<name>, O=OGP}. */
  public static CertificateAuthority create(String name, Clock clock, SecureRandom random) {
    KeyPair keys = newKeyPair(random);
    X500Name subject = subject(name);
    Instant now = clock.instant();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(random),
                  notBefore(now),
                  notAfter(now, CA_DAYS),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new CertificateAuthority(
          new IssuedCertificate(sign(builder, keys.getPrivate()), keys.getPrivate()),
          clock,
          random);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create a CA certificate: " + e.getMessage(), e);
    }
  }

  /** A CA from its certificate and key (as {@link PemFiles} wrote them). */
  public static CertificateAuthority of(IssuedCertificate ca, Clock clock, SecureRandom random) {
    if (ca.certificate().getBasicConstraints() < 0) {
      throw new IllegalArgumentException(
          "not a CA certificate: " + ca.certificate().getSubjectX500Principal().getName());
    }
    return new CertificateAuthority(
        ca, Objects.requireNonNull(clock), Objects.requireNonNull(random));
  }

  public IssuedCertificate certificate() {
    return ca;
  }

  /**
   * The server's certificate for the agent link (and HTTPS).
   *
   * @param dnsName the name agents dial, e.g. {@code ogp.example.com} (also the CN)
   * @param ipAddresses addresses agents may dial instead, e.g. {@code 10.0.0.5}
   */
  public IssuedCertificate issueServer(String dnsName, List<String> ipAddresses) {
    if (!DNS_NAME.matcher(dnsName).matches()) {
      throw new IllegalArgumentException("not a DNS name: '" + dnsName + "'");
    }
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, dnsName));
    for (String ip : ipAddresses) {
      names.add(ipAddress(ip));
    }
    return issue(dnsName, names, KeyPurposeId.id_kp_serverAuth);
  }

  /** An agent's client certificate for mutual TLS; the host id is its CN. */
  public IssuedCertificate issueAgent(String hostId) {
    if (hostId == null || hostId.isBlank()) {
      throw new IllegalArgumentException("host id is required");
    }
    List<GeneralName> names = new ArrayList<>();
    // A name that is no DNS name cannot be a DNS SAN; the CN alone identifies the agent then.
    if (DNS_NAME.matcher(hostId).matches()) {
      names.add(new GeneralName(GeneralName.dNSName, hostId));
    }
    return issue(hostId, names, KeyPurposeId.id_kp_clientAuth);
  }

  /**
   * An enrolled agent's client certificate for a public key the agent made and keeps (its private
   * key never reaches the server): CN and DNS name {@code hostId}, clientAuth, valid for {@code
   * lifetime}. Backdated by a tenth of the lifetime, at most an hour, for peers whose clock is a
   * little behind; so an agent that renews after two thirds of the validity still renews before
   * {@code lifetime} has passed.
   */
  public X509Certificate issueAgent(String hostId, PublicKey publicKey, Duration lifetime) {
    if (hostId == null || !DNS_NAME.matcher(hostId).matches()) {
      throw new IllegalArgumentException("not a DNS name: '" + hostId + "'");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
    }
    Instant now = clock.instant();
    Duration tenth = lifetime.dividedBy(10);
    Duration backdate = tenth.compareTo(CLOCK_SKEW) < 0 ? tenth : CLOCK_SKEW;
    try {
      return sign(
          leaf(
              hostId,
              List.of(new GeneralName(GeneralName.dNSName, hostId)),
              KeyPurposeId.id_kp_clientAuth,
              publicKey,
              Date.from(now.minus(backdate)),
              Date.from(now.plus(lifetime))),
          ca.privateKey());
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + hostId + ": " + e.getMessage(), e);
    }
  }

  private IssuedCertificate issue(
      String commonName, List<GeneralName> names, KeyPurposeId purpose) {
    KeyPair keys = newKeyPair(random);
    Instant now = clock.instant();
    try {
      return new IssuedCertificate(
          sign(
              leaf(
                  commonName,
                  names,
                  purpose,
                  keys.getPublic(),
                  notBefore(now),
                  notAfter(now, LEAF_DAYS)),
              ca.privateKey()),
          keys.getPrivate());
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
    }
  }

  /** An end-entity certificate of one purpose for {@code publicKey}, signed by this CA. */
  private X509v3CertificateBuilder leaf(
      String commonName,
      List<GeneralName> names,
      KeyPurposeId purpose,
      PublicKey publicKey,
      Date notBefore,
      Date notAfter)
      throws IOException, GeneralSecurityException {
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                ca.certificate(),
                serial(random),
                notBefore,
                notAfter,
                subject(commonName),
                publicKey)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
            .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                extensions.createSubjectKeyIdentifier(publicKey))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                extensions.createAuthorityKeyIdentifier(ca.certificate().getPublicKey()));
    if (!names.isEmpty()) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
    }
    return builder;
  }

  private static GeneralName ipAddress(String ip) {
    // Literal addresses only: InetAddress would otherwise resolve a name through DNS.
    if (!ip.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      throw new IllegalArgumentException("not an IP address: '" + ip + "'");
    }
    try {
      return new GeneralName(GeneralName.iPAddress, ip);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IP address: '" + ip + "'", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
  }

  private static KeyPair newKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }

  private static X500Name subject(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "OGP")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static BigInteger serial(SecureRandom random) {
    // RFC 5280: positive, at most 20 octets; 159 random bits are unguessable.
    return new BigInteger(159, random).add(BigInteger.ONE);
  }

  private static Date notBefore(Instant now) {
    return Date.from(now.minus(CLOCK_SKEW));
  }

  private static Date notAfter(Instant now, int days) {
    return Date.from(now.plus(Duration.ofDays(days)));
  }
}
