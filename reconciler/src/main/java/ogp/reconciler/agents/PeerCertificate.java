package ogp.reconciler.agents;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import ogp.protocol.FramePipeline;

/**
 * The names a verified client certificate gives its holder: the subject's CN and every DNS subject
 * alternative name. Under mutual TLS a Hello may only claim one of these as its host id, so one
 * agent's certificate cannot be used to impersonate another host.
 *
 * @param names the CN first, then the DNS names, without duplicates
 * @param publicKeySha256 hex SHA-256 of the certificate's public key (its encoded form): the host
 *     identity under mutual TLS, which a renewed certificate for the same key keeps
 */
record PeerCertificate(Set<String> names, String publicKeySha256) {
  private static final int SAN_DNS = 2;

  PeerCertificate {
    names = Set.copyOf(names);
  }

  /**
   * The client certificate of a TLS connection, or empty when the connection is plain TCP or the
   * client presented none (the server asks for one only under mutual TLS).
   */
  static Optional<PeerCertificate> of(Channel channel) {
    SslHandler tls = (SslHandler) channel.pipeline().get(FramePipeline.TLS_HANDLER);
    if (tls == null) {
      return Optional.empty();
    }
    Certificate[] chain;
    try {
      chain = tls.engine().getSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException none) {
      return Optional.empty();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    return Optional.of(of(leaf));
  }

  static PeerCertificate of(X509Certificate certificate) {
    Set<String> names = new LinkedHashSet<>();
    commonName(certificate).ifPresent(names::add);
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          if (entry.size() == 2 && Integer.valueOf(SAN_DNS).equals(entry.get(0))) {
            names.add(String.valueOf(entry.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // An unparsable extension gives no names; the CN alone then decides.
    }
    return new PeerCertificate(names, HelloCheck.sha256(certificate.getPublicKey().getEncoded()));
  }

  /** True when the certificate names this host id (exactly: host ids are case-sensitive). */
  boolean names(String hostId) {
    return names.contains(hostId);
  }

  private static Optional<String> commonName(X509Certificate certificate) {
    try {
      LdapName subject = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : subject.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      // Not an RFC 2253 name: no CN.
    }
    return Optional.empty();
  }
}
