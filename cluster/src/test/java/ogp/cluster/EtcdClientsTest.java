package ogp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings that cannot work are one clear error before anything connects. */
class EtcdClientsTest {
  @TempDir Path dir;

  @Test
  void thePasswordIsTheFilesFirstLineWithoutItsLineEnding() throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "s3cret with spaces \r\nsecond line\n");

    assertEquals("s3cret with spaces ", EtcdClients.readPassword(file));
  }

  @Test
  void anEmptyOrMissingPasswordFileIsOneClearError() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    Path missing = dir.resolve("missing");

    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> EtcdClients.readPassword(empty))
            .getMessage()
            .contains("is empty"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> EtcdClients.readPassword(missing))
            .getMessage()
            .startsWith("cannot read --etcd-password-file " + missing));
  }

  @Test
  void tlsFilesWithPlainEndpointsAreRefused() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "x");
    EtcdSettings settings =
        settings(List.of(URI.create("http://127.0.0.1:2379")), Optional.of(ca), Optional.empty());

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> EtcdClients.build(settings));
    assertEquals("--etcd-ca-file needs https:// endpoints in --etcd", error.getMessage());
  }

  @Test
  void anUnreadableOrBrokenCaFileIsOneClearError() throws Exception {
    Path garbage = Files.writeString(dir.resolve("ca.crt"), "not a certificate");
    Path missing = dir.resolve("missing.crt");
    List<URI> https = List.of(URI.create("https://127.0.0.1:2379"));

    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> EtcdClients.build(settings(https, Optional.of(missing), Optional.empty())))
            .getMessage()
            .startsWith("--etcd-ca-file " + missing + " is not a readable file"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> EtcdClients.build(settings(https, Optional.of(garbage), Optional.empty())))
            .getMessage()
            .startsWith("cannot use the etcd TLS files"));
  }

  private static EtcdSettings settings(
      List<URI> endpoints, Optional<Path> ca, Optional<Path> password) {
    return new EtcdSettings(
        endpoints,
        ca,
        Optional.empty(),
        Optional.empty(),
        password.map(p -> "ogp"),
        password,
        EtcdSettings.DEFAULT_PREFIX,
        Duration.ofSeconds(10),
        Duration.ofSeconds(3));
  }
}
