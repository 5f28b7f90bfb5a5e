package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepoUrlTest {

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      https://github.com/acme/fleet.git          | git@github.com:acme/fleet.git                   | true
      https://github.com/acme/fleet              | https://github.com/acme/fleet.git               | true
      https://github.com/acme/fleet/             | http://github.com/acme/fleet                    | true
      ssh://git@github.com/acme/fleet.git        | https://github.com/acme/fleet                   | true
      ssh://git@github.com:22/acme/fleet.git     | git@github.com:acme/fleet                       | true
      git://github.com/acme/fleet.git            | https://github.com/acme/fleet                   | true
      https://GitHub.COM/acme/fleet              | https://github.com/acme/fleet                   | true
      https://github.com/Acme/Fleet              | https://github.com/acme/fleet                   | true
      https://token:x-oauth@github.com/acme/fleet | https://github.com/acme/fleet                  | true
      https://gitlab.example.com:8443/grp/sub/fleet.git | ssh://git@gitlab.example.com:2222/grp/sub/fleet.git | true
      https://git.example.com/Platform/fleet     | https://git.example.com/platform/fleet          | false
      https://GIT.example.com/platform/fleet     | git@git.example.com:platform/fleet.git          | true
      https://github.com/acme/fleet              | https://github.com/acme/fleet-old               | false
      https://github.com/acme/fleet              | https://gitlab.com/acme/fleet                   | false
      https://github.com/acme/fleet              | https://github.com/other/fleet                  | false
      https://gitlab.example.com/grp/fleet       | https://gitlab.example.com/grp/sub/fleet        | false
      https://[::1]:3000/acme/fleet.git          | ssh://git@[::1]:22/acme/fleet                   | true
      /srv/git/fleet.git                         | /srv/git/fleet.git                              | false
      file:///srv/git/fleet.git                  | file:///srv/git/fleet.git                       | false
      https://github.com/                        | https://github.com                              | false
      """)
  void sameRepositoryTable(String a, String b, boolean same) {
    assertEquals(same, RepoUrl.sameRepository(a, b));
    assertEquals(same, RepoUrl.sameRepository(b, a), "symmetric");
  }

  @ParameterizedTest(name = "{0} local: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      /srv/git/fleet.git                  | true
      ./fleet                             | true
      fleet                               | true
      ../repos/with:colon                 | true
      file:///srv/git/fleet.git           | true
      FILE:/srv/git/fleet.git             | true
      C:\\repos\\fleet                    | true
      git@github.com:acme/fleet.git       | false
      github.com:acme/fleet.git           | false
      https://github.com/acme/fleet       | false
      ssh://git@host/acme/fleet           | false
      """)
  void localPathsAndFileUrlsAreLocal(String url, boolean local) {
    assertEquals(local, RepoUrl.isLocal(url));
  }
}
