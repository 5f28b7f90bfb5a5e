package ogp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --etcd}: good lists parse, every bad one is one clear sentence naming what is wrong. */
class EtcdSettingsTest {
  @Test
  void aListOfUrlsParsesToSchemeHostAndPortInOrder() {
    assertEquals(
        List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://etcd-b:2379")),
        EtcdSettings.parseEndpoints("http://10.0.0.1:2379, http://etcd-b:2379/"));
    assertEquals(
        List.of(URI.create("https://[::1]:2379")),
        EtcdSettings.parseEndpoints("https://[::1]:2379"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                                          | --etcd needs etcd client URLs",
        "'   '                                       | --etcd needs etcd client URLs",
        "http://a:2379,,http://b:2379                | --etcd has an empty entry",
        "'http://a:2379,'                            | --etcd has an empty entry",
        "a:2379                                      | must start with http:// or https://",
        "ftp://a:2379                                | must start with http:// or https://",
        "http://a                                    | needs a host and a port",
        "http://:2379                                | needs a host and a port",
        "http://a:2379/v3                            | must be only scheme, host and port",
        "http://a:2379?x=1                           | must be only scheme, host and port",
        "http://a:2379#f                             | must be only scheme, host and port",
        "http://a b:2379                             | is not a URL",
        "http://a:2379,https://b:2379                | --etcd mixes http and https endpoints",
        "http://a:2379,http://a:2379/                | --etcd names http://a:2379 twice",
        "http://root:secret@a:2379                   | must not carry credentials: use --etcd-user",
      })
  void aBadListIsOneSentenceThatSaysWhatIsWrong(String flag, String expected) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> EtcdSettings.parseEndpoints(flag));

    assertTrue(error.getMessage().contains(expected), error.getMessage());
    assertTrue(error.getMessage().startsWith("--etcd"), error.getMessage());
    assertFalse(error.getMessage().contains("\n"), error.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://root:secret@a:2379",
        "http://root:secret@a:2379,,http://b:2379",
        "ftp://root:secret@a:2379",
        "http://root:se cret@a:2379",
        "http://a:2379,https://root:secret@b:2379"
      })
  void aUrlWithCredentialsIsRefusedWithoutEchoingThePassword(String flag) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> EtcdSettings.parseEndpoints(flag));

    assertFalse(error.getMessage().contains("secret"), error.getMessage());
  }
}
