package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://user:secret@host/org/repo.git | https://***@host/org/repo.git",
        "https://ghp_token123@github.com/org/repo.git | https://***@github.com/org/repo.git",
        "http://u:p%40ss@127.0.0.1:8080/r | http://***@127.0.0.1:8080/r",
        "ssh://git@host:22/org/repo.git | ssh://***@host:22/org/repo.git",
        "https://host/org/repo.git | https://host/org/repo.git",
        "git@github.com:org/repo.git | git@github.com:org/repo.git",
        "/srv/git/fleet.git | /srv/git/fleet.git",
        "file:///srv/git/fleet | file:///srv/git/fleet",
        "https://host/path@v1/x | https://host/path@v1/x",
      })
  void userInfoOfUrlsIsMasked(String url, String expected) {
    assertEquals(expected, Redaction.redact(url));
  }

  @Test
  void urlsInsideTextAreMasked() {
    assertEquals(
        "fetch of https://***@h/r.git failed; retry https://***@h/r.git",
        Redaction.redact("fetch of https://a:b@h/r.git failed; retry https://a:b@h/r.git"));
  }

  @Test
  void scrubAlsoRemovesLiteralSecrets() {
    assertEquals(
        "server said: bad token ***",
        Redaction.scrub("server said: bad token hunter2", List.of("hunter2", "")));
  }
}
