package ogp.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiVersionNegotiationTest {
  @ParameterizedTest(name = "engine {0} (min {1}), client up to {2} -> {3}")
  @CsvSource({
    "1.41, 1.12, 1.44, 1.41", // Debian 12 docker.io 20.10
    "1.47, 1.24, 1.44, 1.44", // Docker 27: the client's highest
    "1.51, 1.44, 1.44, 1.44", // Docker 28+: refuses below 1.44
    "1.44, '',   1.44, 1.44", // no MinAPIVersion reported
    "1.9,  1.9,  1.44, 1.9", // numeric, not textual, comparison
  })
  void pinsTheHighestVersionBothSpeak(
      String engineApi, String engineMin, String clientMax, String expected) {
    assertEquals(expected, ApiVersionNegotiation.choose(engineApi, engineMin, clientMax));
  }

  @Test
  void engineThatRefusesEveryClientVersionIsAClearError() {
    RuntimeFailure failure =
        assertThrows(
            RuntimeFailure.class, () -> ApiVersionNegotiation.choose("1.52", "1.45", "1.44"));
    assertTrue(failure.getMessage().contains("requires API version 1.45"), failure.getMessage());
  }

  @Test
  void unreadableVersionIsAnError() {
    assertThrows(RuntimeFailure.class, () -> ApiVersionNegotiation.choose("one", "1.12", "1.44"));
  }
}
