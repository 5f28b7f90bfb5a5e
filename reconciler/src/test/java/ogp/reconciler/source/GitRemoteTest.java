package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GitRemoteTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', emptyValue = "", value = {
      "'' | ''", ". | ''", "./apps | apps", "apps/ | apps", "apps/prod | apps/prod", "apps\\prod | apps/prod"})
  void pathIsNormalized(String given, String expected) {
    assertEquals(expected, GitRemote.of("file:///r", "main", given).path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "apps/../../x", "apps//prod", "..", "/", "/etc", "/apps/", "C:/fleet", "c:\\fleet", "\\\\server\\share"})
  void pathLeavingTheRepositoryIsRefused(String path) {
    assertThrows(IllegalArgumentException.class, () -> GitRemote.of("file:///r", "main", path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "refs/heads/main", "a..b"})
  void branchMustBeAShortName(String branch) {
    assertThrows(IllegalArgumentException.class, () -> GitRemote.of("file:///r", branch, ""));
  }
}
