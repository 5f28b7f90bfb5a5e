package ogp.reconciler.pki;

import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Reads the certification request (PKCS#10, DER) an agent sends to enrol or renew and gives the
 * public key a certificate may be issued for.
 *
 * <p>Policy: the request must parse, be signed by the key it carries (proof that the agent holds
 * the private key), and that key must be EC P-256 or RSA of at least {@value #MIN_RSA_BITS} bits;
 * anything else is refused with one sentence saying what is wrong. The request's subject and
 * attributes are ignored: the server decides what the certificate names.
 */
public final class CertificateRequests {
  /** The smallest RSA key accepted. */
  public static final int MIN_RSA_BITS = 2048;

  private static final int P256_FIELD_BITS = 256;

  private CertificateRequests() {}

  /** Why a request is refused; the message is one sentence an agent can be shown. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /**
   * The public key of a valid request.
   *
   * @throws Refused when the request is malformed, not signed by its key, or for a weak key
   */
  public static PublicKey publicKey(byte[] der) throws Refused {
    if (der == null || der.length == 0) {
      throw new Refused("the enrolment request carries no certification request (CSR)");
    }
    JcaPKCS10CertificationRequest request;
    PublicKey key;
    try {
      request = new JcaPKCS10CertificationRequest(der);
      key = request.getPublicKey();
    } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
      throw new Refused("the CSR is not a PKCS#10 certification request in DER");
    }
    checkStrength(key);
    try {
      if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new Refused("the CSR's signature does not verify with the key it carries");
      }
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw new Refused("the CSR's signature cannot be verified: " + e.getMessage());
    }
    return key;
  }

  private static void checkStrength(PublicKey key) throws Refused {
    if (key instanceof ECPublicKey ec) {
      ECParameterSpec params = ec.getParams();
      if (params.getCurve().getField().getFieldSize() == P256_FIELD_BITS
          && params.getOrder().bitLength() == P256_FIELD_BITS
          && isP256(params)) {
        return;
      }
      throw new Refused("the CSR's EC key is not on the P-256 curve");
    }
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() >= MIN_RSA_BITS) return;
      throw new Refused(
          "the CSR's RSA key has "
              + rsa.getModulus().bitLength()
              + " bits; at least "
              + MIN_RSA_BITS
              + " are needed");
    }
    throw new Refused(
        "the CSR's key is " + key.getAlgorithm() + "; only EC P-256 and RSA keys are accepted");
  }

  /** P-256's order; another 256-bit curve (secp256k1, brainpool) has another. */
  private static boolean isP256(ECParameterSpec params) {
    return params
        .getOrder()
        .equals(
            new java.math.BigInteger(
                "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16));
  }
}
