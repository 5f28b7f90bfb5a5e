package ogp.reconciler.pki;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import ogp.protocol.files.OwnerOnlyFile;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads and writes certificates and private keys as PEM files.
 *
 * <p>Policy: private keys are written as unencrypted PKCS#8 ({@code PRIVATE KEY}, which Netty,
 * Jetty and OpenSSL all read) with mode 0600; certificates are public and written with the default
 * mode. Reading accepts PKCS#8 and the older PKCS#1/SEC1 key forms OpenSSL produces. Errors name
 * the file, never its content.
 */
public final class PemFiles {
  private PemFiles() {}

  public static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII);
  }

  /**
   * A certificate chain (leaf first) in one file, replaced atomically ({@link OwnerOnlyFile}): a
   * server that reads it at start never sees half a chain.
   */
  public static void writeCertificateChain(Path file, List<X509Certificate> chain)
      throws IOException {
    StringBuilder text = new StringBuilder();
    for (X509Certificate certificate : chain) text.append(pem(certificate));
    OwnerOnlyFile.write(file, text.toString());
  }

  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    // The JDK encodes private keys as PKCS#8 already.
    OwnerOnlyFile.write(file, pem(new PemObject("PRIVATE KEY", key.getEncoded())));
  }

  /** Every certificate in the file, in order (a chain: leaf first). */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
              .map(X509Certificate.class::cast)
              .toList();
      if (certificates.isEmpty()) {
        throw new IOException("no certificate in " + file);
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IOException("cannot read the certificate file " + file + ": " + e.getMessage(), e);
    }
  }

  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (item instanceof PrivateKeyInfo pkcs8) {
          return converter.getPrivateKey(pkcs8);
        }
        if (item instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (!(item instanceof SubjectPublicKeyInfo)) {
          // e.g. an encrypted key: OGP has no passphrase to open it with.
          throw new IOException(
              "unsupported PEM object "
                  + item.getClass().getSimpleName()
                  + " in "
                  + file
                  + "; expected an unencrypted private key");
        }
      }
      throw new IOException("no private key in " + file);
    } catch (RuntimeException e) {
      // BouncyCastle reports malformed PEM as runtime exceptions; the file is not a key.
      throw new IOException("cannot read the private key file " + file, e);
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
