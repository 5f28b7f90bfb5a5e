package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ports as Docker and Compose write them, with or without the host address they are published on.
 */
class PortMappingTest {
  @ParameterizedTest
  @CsvSource({
    "8080:80,            '', 8080, 80, tcp",
    "53:53/udp,          '', 53,   53, udp",
    "127.0.0.1:8092:8080, 127.0.0.1, 8092, 8080, tcp",
    "0.0.0.0:80:80/tcp,  0.0.0.0, 80, 80, tcp",
    "'[::1]:8080:80/udp', ::1, 8080, 80, udp"
  })
  void aMappingWithOrWithoutAHostAddressIsRead(
      String text, String ip, int host, int container, String protocol) {
    assertEquals(
        Optional.of(new PortMapping(ip, host, container, protocol)), PortMapping.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "256.0.0.1:80:80",
        "localhost:80:80",
        "1.2.3:80:80",
        "[nope]:80:80",
        "127.0.0.1:80",
        "127.0.0.1::80:80"
      })
  void aHostAddressThatIsNotAnIpLiteralIsRefused(String text) {
    assertEquals(Optional.empty(), PortMapping.parse(text));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'127.0.0.1:80:80', '127.0.0.2:80:80'| true",
        "'127.0.0.1:80:80', '80:80/udp'| true",
        "'80:80', '127.0.0.1:80:80'| false",
        "'127.0.0.1:80:80', '127.0.0.1:80:81'| false"
      })
  void onePortMayBePublishedOnTwoAddressesButNotTwiceOnOne(String ports, boolean valid) {
    String yaml = "app: web\nimage: busybox\nversion: \"1\"\nhosts: [a]\nports: [" + ports + "]\n";
    ReadResult result =
        DesiredStateReader.combine(
            List.of(
                new DesiredStateReader()
                    .readFile("apps/web.yaml", yaml.getBytes(StandardCharsets.UTF_8))));
    assertEquals(valid, result.valid(), String.valueOf(result.errors()));
    if (!valid)
      assertTrue(
          result.errors().get(0).toString().contains("is already published by ports[0]"),
          result.errors().toString());
  }
}
