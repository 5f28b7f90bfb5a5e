package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BitbucketServerRepositoryTest {

  @ParameterizedTest(name = "{0}/{1} named by {2}: {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      PROJ    | repo | https://host/scm/PROJ/repo.git                   | true
      PROJ    | repo | https://host/scm/proj/repo.git                   | true
      PROJ    | repo | https://host/scm/proj/repo                       | true
      PROJ    | repo | https://host/proj/repo.git                       | true
      PROJ    | repo | https://host/context/scm/proj/repo.git           | true
      PROJ    | repo | https://host/projects/PROJ/repos/repo            | true
      PROJ    | repo | https://host/projects/proj/repos/repo/browse     | true
      PROJ    | repo | ssh://git@host:7999/proj/repo.git                | true
      PROJ    | repo | git@host:proj/repo.git                           | true
      ~JSMITH | repo | https://host/scm/~jsmith/repo.git                | true
      ~JSMITH | repo | ssh://git@host:7999/~jsmith/repo.git             | true
      ~JSMITH | repo | https://host/users/jsmith/repos/repo             | true
      ~JSMITH | repo | https://host/users/jsmith/repos/repo/browse      | true
      PROJ    | repo | https://host/scm/proj/Repo.git                   | false
      PROJ    | repo | https://host/scm/other/repo.git                  | false
      PROJ    | repo | https://host/scm/proj/repo-2.git                 | false
      PROJ    | repo | https://host/context/proj/repo.git               | false
      PROJ    | repo | https://host/projects/PROJ/repos/repo/commits    | false
      PROJ    | repo | https://host/users/proj/repos/repo               | false
      ~JSMITH | repo | https://host/scm/jsmith/repo.git                 | false
      PROJ    | browse | https://host/scm/proj/browse.git               | true
      PROJ    | repo | /srv/git/proj/repo.git                           | false
      """)
  void urlNamesTheProjectRepositoryInTheFormsBitbucketServes(
      String key, String slug, String url, boolean named) {
    assertEquals(named, new BitbucketServerRepository(key, slug).isNamedBy(url));
  }
}
