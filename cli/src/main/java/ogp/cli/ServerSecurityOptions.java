package ogp.cli;

import java.nio.file.Path;
import java.util.Optional;
import ogp.protocol.tls.ServerTls;

/**
 * The TLS flags of {@code ogp server}, checked together: a certificate needs its key and the other
 * way round, and a client CA (mutual TLS) needs the server's own certificate. A half-given pair is
 * bad usage (exit 2), never a silent fallback to plain TCP or HTTP.
 */
record ServerSecurityOptions(
    Path tlsCert, Path tlsKey, Path tlsClientCa, Path httpsCert, Path httpsKey) {
  ServerSecurityOptions {
    pair("--tls-cert", tlsCert, "--tls-key", tlsKey);
    pair("--https-cert", httpsCert, "--https-key", httpsKey);
    if (tlsClientCa != null && tlsCert == null) {
      throw new CommandFailure(
          "--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS first", 2);
    }
  }

  Optional<ServerTls> agentTls() {
    return tlsCert == null
        ? Optional.empty()
        : Optional.of(new ServerTls(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa)));
  }

  Optional<HttpsConnector> https() {
    return httpsCert == null
        ? Optional.empty()
        : Optional.of(new HttpsConnector(httpsCert, httpsKey));
  }

  /** Both or neither. */
  static void pair(String firstFlag, Path first, String secondFlag, Path second) {
    if ((first == null) != (second == null)) {
      throw new CommandFailure(
          firstFlag + " and " + secondFlag + " go together; give both or neither", 2);
    }
  }
}
