package ogp.protocol.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Builds the Netty TLS contexts of the agent link from PEM files.
 *
 * <p>Policy: TLS 1.3 and 1.2 only; agents verify the server's chain against the configured CA
 * (never the JDK's public CAs) and its name with HTTPS endpoint identification, so a certificate of
 * another host signed by the same CA is refused; a server with a client CA requires a client
 * certificate (or, {@link ServerTls#clientCertificateOptional()}, verifies one when it is
 * presented). A missing or unreadable file fails here, at start-up, naming the file.
 */
public final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  public static SslContext server(ServerTls tls) {
    readable(tls.certificate(), "TLS certificate");
    readable(tls.privateKey(), "TLS private key");
    tls.clientCa().ifPresent(ca -> readable(ca, "TLS client CA"));
    try {
      SslContextBuilder builder =
          SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile())
              .protocols(PROTOCOLS);
      if (tls.clientCa().isPresent()) {
        builder
            .trustManager(tls.clientCa().get().toFile())
            .clientAuth(tls.clientCertificateOptional() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot use the TLS certificate "
              + tls.certificate()
              + " with key "
              + tls.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  public static SslContext agent(AgentTls tls) {
    readable(tls.ca(), "TLS CA");
    tls.certificate().ifPresent(f -> readable(f, "TLS certificate"));
    tls.privateKey().ifPresent(f -> readable(f, "TLS private key"));
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .trustManager(tls.ca().toFile())
              .protocols(PROTOCOLS)
              // Chain validation alone would accept any certificate this CA signed, including
              // another agent's: the server's name must match what the agent dials.
              .endpointIdentificationAlgorithm("HTTPS");
      if (tls.certificate().isPresent()) {
        builder.keyManager(tls.certificate().get().toFile(), tls.privateKey().get().toFile());
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot use the TLS CA "
              + tls.ca()
              + tls.certificate().map(c -> " and certificate " + c).orElse("")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static void readable(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read the " + what + " file " + file);
    }
  }
}
