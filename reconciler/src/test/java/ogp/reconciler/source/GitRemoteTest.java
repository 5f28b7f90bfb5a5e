package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GitRemoteTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      emptyValue = "",
      value = {
        "'' | ''",
        ". | ''",
        "./apps | apps",
        "apps/ | apps",
        "apps/prod | apps/prod",
        "apps\\prod | apps/prod"
      })
  void pathIsNormalized(String given, String expected) {
    assertEquals(expected, GitRemote.of("file:///r", "main", given).path());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x",
        "apps/../../x",
        "apps//prod",
        "..",
        "/",
        "/etc",
        "/apps/",
        "C:/fleet",
        "c:\\fleet",
        "\\\\server\\share"
      })
  void pathLeavingTheRepositoryIsRefused(String path) {
    assertThrows(IllegalArgumentException.class, () -> GitRemote.of("file:///r", "main", path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "refs/heads/main", "a..b"})
  void branchMustBeAShortName(String branch) {
    assertThrows(IllegalArgumentException.class, () -> GitRemote.of("file:///r", branch, ""));
  }

  @org.junit.jupiter.api.Test
  void aRelativeLocalPathIsResolvedAgainstTheWorkingDirectoryAndUrlsAreLeftAlone() {
    java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
    org.junit.jupiter.api.Assertions.assertEquals(
        cwd.resolve(".ogp/dev-repo").toString(), GitRemote.of(".ogp/dev-repo", "main", "").url());
    org.junit.jupiter.api.Assertions.assertEquals(
        cwd.toString(), GitRemote.of(".", "main", "").url());
    org.junit.jupiter.api.Assertions.assertEquals(
        cwd.getParent().resolve("fleet").toString(), GitRemote.of("../fleet", "main", "").url());
    for (String url :
        java.util.List.of(
            "/srv/fleet.git",
            "file:///srv/fleet.git",
            "https://git.example.com/ops/fleet.git",
            "ssh://git@git.example.com/ops/fleet.git",
            "git@git.example.com:ops/fleet.git")) {
      org.junit.jupiter.api.Assertions.assertEquals(url, GitRemote.of(url, "main", "").url());
    }
  }
}
