package ogp.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryCredentialsTest {
  private static final String CONFIG =
      """
      {"auths": {
        "127.0.0.1:5000": {"auth": "%s"},
        "https://registry.example.com:8443/v2/": {"username": "ci", "password": "s3cret"},
        "https://index.docker.io/v1/": {"auth": "%s"},
        "nothing.example.com": {}
      }}"""
          .formatted(base64("ogp:pa:ss"), base64("hubuser:hubpass"));

  @Test
  void authFieldIsDecodedAndSplitAtTheFirstColon() {
    RegistryCredentials credentials = RegistryCredentials.parse(CONFIG);
    assertEquals(
        Optional.of(new RegistryCredentials.Login("127.0.0.1:5000", "ogp", "pa:ss")),
        credentials.forRegistry(ImageReference.parse("127.0.0.1:5000/demo/web:42").registry()));
  }

  @Test
  void urlKeysAndUsernamePasswordFieldsMatchByHost() {
    RegistryCredentials credentials = RegistryCredentials.parse(CONFIG);
    RegistryCredentials.Login login =
        credentials.forRegistry("registry.example.com:8443").orElseThrow();
    assertEquals("ci", login.username());
    assertEquals("s3cret", login.password());
    assertEquals(
        "hubuser",
        credentials
            .forRegistry(ImageReference.parse("busybox:1.36").registry())
            .orElseThrow()
            .username());
  }

  @Test
  void registryWithoutEntryOrWithEmptyEntryHasNoLogin() {
    RegistryCredentials credentials = RegistryCredentials.parse(CONFIG);
    assertTrue(credentials.forRegistry("127.0.0.1:5001").isEmpty());
    assertTrue(credentials.forRegistry("nothing.example.com").isEmpty());
  }

  @Test
  void passwordsNeverShowInStrings() {
    RegistryCredentials credentials = RegistryCredentials.parse(CONFIG);
    assertFalse(credentials.toString().contains("s3cret"));
    assertFalse(
        credentials
            .forRegistry("registry.example.com:8443")
            .orElseThrow()
            .toString()
            .contains("s3cret"));
  }

  @Test
  void malformedFileIsAnErrorWithoutItsContent() {
    RuntimeFailure failure =
        assertThrows(RuntimeFailure.class, () -> RegistryCredentials.parse("{\"auths\": s3cret"));
    assertFalse(failure.getMessage().contains("s3cret"));
  }

  @ParameterizedTest(name = "{0} -> registry {1}, repository {2}, tag {3}")
  @CsvSource({
    "busybox:1.36, docker.io, busybox, 1.36",
    "busybox, docker.io, busybox, latest",
    "library/busybox:1, docker.io, library/busybox, 1",
    "127.0.0.1:5000/demo/web:42, 127.0.0.1:5000, 127.0.0.1:5000/demo/web, 42",
    "127.0.0.1:5000/demo/web, 127.0.0.1:5000, 127.0.0.1:5000/demo/web, latest",
    "localhost/web:1.10, localhost, localhost/web, 1.10",
    "registry.example.com/team/app:v2, registry.example.com, registry.example.com/team/app, v2",
  })
  void imageReferencesSplitLikeTheEngineSplitsThem(
      String reference, String registry, String repository, String tag) {
    assertEquals(new ImageReference(registry, repository, tag), ImageReference.parse(reference));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
