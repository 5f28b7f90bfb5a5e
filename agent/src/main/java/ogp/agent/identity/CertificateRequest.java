package ogp.agent.identity;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The agent's key pair and the certification requests (PKCS#10, DER) it sends to enrol and renew.
 *
 * <p>Policy: keys are EC P-256 from the JDK's provider and a {@link SecureRandom}; the private key
 * never leaves the host: a request carries the public key and a signature that proves the agent
 * holds the private one. The subject names the host id (the server ignores it and decides itself).
 */
public final class CertificateRequest {
  private CertificateRequest() {}

  /**
   * The key pair of a private key this agent made before, its public half computed from it (Q = d·G
   * on P-256): an enrolment whose answer was lost is retried with the same key, the one the server
   * may have bound already.
   */
  public static KeyPair keyPairOf(PrivateKey privateKey) {
    if (!(privateKey instanceof ECPrivateKey ec)) {
      throw new IllegalArgumentException("the agent key is not an EC key");
    }
    X9ECParameters curve = ECNamedCurveTable.getByName("secp256r1");
    org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(ec.getS()).normalize();
    try {
      PublicKey publicKey =
          KeyFactory.getInstance("EC")
              .generatePublic(
                  new ECPublicKeySpec(
                      new ECPoint(
                          q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                      ec.getParams()));
      return new KeyPair(publicKey, privateKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot compute the public key of the agent key", e);
    }
  }

  /** A fresh EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }

  /** A PKCS#10 request (DER) for {@code publicKey}, signed with its {@code privateKey}. */
  public static byte[] der(String hostId, PublicKey publicKey, PrivateKey privateKey) {
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "OGP")
            .addRDN(BCStyle.CN, hostId)
            .build();
    try {
      return new JcaPKCS10CertificationRequestBuilder(subject, publicKey)
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(privateKey))
          .getEncoded();
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot make a certification request: " + e.getMessage(), e);
    }
  }
}
