package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Builds the jetcd client of {@link EtcdSettings}: the endpoints, TLS for https endpoints (the CA
 * file to trust, a client certificate and key for etcd's mutual TLS), and etcd's user
 * authentication with the password read from its file. A setting that cannot work (a TLS file with
 * http endpoints, an unreadable file) is one {@link IllegalArgumentException} naming the flag.
 */
final class EtcdClients {
  /** A password file holds one line; anything larger is not a password file. */
  static final int MAX_PASSWORD_BYTES = 4096;

  private EtcdClients() {}

  static Client build(EtcdSettings settings) {
    boolean https = "https".equals(settings.endpoints().get(0).getScheme());
    if (!https && settings.caFile().isPresent())
      throw new IllegalArgumentException("--etcd-ca-file needs https:// endpoints in --etcd");
    if (!https && settings.certFile().isPresent())
      throw new IllegalArgumentException("--etcd-cert-file needs https:// endpoints in --etcd");
    ClientBuilder builder =
        Client.builder()
            .endpoints(settings.endpoints().toArray(URI[]::new))
            .connectTimeout(settings.callTimeout())
            // Fail a call at once while no member is reachable, with gRPC's reason (a refused
            // connection, a TLS handshake error), instead of holding it until our timeout hides
            // why: every caller here retries on its own schedule.
            .waitForReady(false);
    if (https) {
      settings.caFile().ifPresent(file -> readable(file, "--etcd-ca-file"));
      settings.certFile().ifPresent(file -> readable(file, "--etcd-cert-file"));
      settings.keyFile().ifPresent(file -> readable(file, "--etcd-key-file"));
      try {
        builder.sslContext(
            ssl -> {
              settings.caFile().ifPresent(ca -> ssl.trustManager(ca.toFile()));
              if (settings.certFile().isPresent())
                ssl.keyManager(
                    settings.certFile().get().toFile(), settings.keyFile().get().toFile());
            });
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "cannot use the etcd TLS files (--etcd-ca-file, --etcd-cert-file, --etcd-key-file): "
                + EtcdCalls.message(e),
            e);
      }
      // gRPC checks every member's certificate against one name, the channel's authority: the
      // host of the first endpoint (a member certificate names its own host; several members
      // share it when their certificates carry all the cluster's names, as etcd's guides make
      // them).
      builder.authority(settings.endpoints().get(0).getHost());
    }
    if (settings.user().isPresent()) {
      builder
          .user(ByteSequence.from(settings.user().get(), StandardCharsets.UTF_8))
          .password(
              ByteSequence.from(
                  readPassword(settings.passwordFile().get()), StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  /** The password: the file's first line, without its line ending. */
  static String readPassword(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_PASSWORD_BYTES)
        throw new IllegalArgumentException(
            "--etcd-password-file " + file + " is larger than " + MAX_PASSWORD_BYTES + " bytes");
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read --etcd-password-file " + file + ": " + EtcdCalls.message(e), e);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int end = text.indexOf('\n');
    String password = end < 0 ? text : text.substring(0, end);
    if (password.endsWith("\r")) password = password.substring(0, password.length() - 1);
    if (password.isEmpty())
      throw new IllegalArgumentException("--etcd-password-file " + file + " is empty");
    return password;
  }

  private static void readable(Path file, String flag) {
    if (!Files.isReadable(file))
      throw new IllegalArgumentException(flag + " " + file + " is not a readable file");
  }
}
