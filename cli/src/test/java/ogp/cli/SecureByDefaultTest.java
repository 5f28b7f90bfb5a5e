package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The table of what {@code ogp server} secures by itself. */
class SecureByDefaultTest {
  @ParameterizedTest(
      name = "bind {0}, --insecure-agent-link {1}: agent TLS {2}, HTTPS {3}, warn {4}")
  @CsvSource({
    // bind,            insecure, agent TLS, HTTPS, warn
    "127.0.0.1,         false,    false,     false, false",
    "127.0.0.1,         true,     false,     false, false",
    "127.1.2.3,         false,    false,     false, false",
    "::1,               false,    false,     false, false",
    "[::1],             false,    false,     false, false",
    "localhost,         false,    false,     false, false",
    "LocalHost,         true,     false,     false, false",
    "0.0.0.0,           false,    true,      true,  false",
    "::,                false,    true,      true,  false",
    "192.0.2.2,         false,    true,      true,  false",
    "fd00::2,           false,    true,      true,  false",
    "ogp.example.com,   false,    true,      true,  false",
    "localhost.evil.io, false,    true,      true,  false",
    "0.0.0.0,           true,     false,     true,  true",
    "192.0.2.2,         true,     false,     true,  true",
  })
  void loopbackStaysPlainAndEverythingElseIsSecureUnlessTheAgentLinkIsMadeInsecure(
      String bind, boolean insecure, boolean agentTls, boolean https, boolean warn) {
    assertEquals(
        new SecureByDefault(agentTls, https, warn), SecureByDefault.decide(bind, insecure));
  }
}
