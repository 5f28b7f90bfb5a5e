package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.testing.GitHttpServer;
import ogp.reconciler.testing.GitHttpServer.Kind;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpAccessTest {
  private static final String USER = "ogp";
  private static final String PASSWORD = "s3cr3t-Passw0rd";

  @TempDir Path tmp;
  private TestRepo origin;
  private GitHttpServer server;
  private String url;

  @BeforeEach
  void setUp() {
    origin = TestRepo.create(tmp.resolve("origin"));
    origin.commit("first", Map.of("apps/web.yaml", "app: web\n"));
    server = GitHttpServer.start(USER, PASSWORD);
    url = server.serve("fleet.git", origin.gitDir());
  }

  @AfterEach
  void tearDown() {
    server.close();
    origin.close();
  }

  private GitRemote remote(String password) {
    return new GitRemote(url, "main", "apps", new GitCredentials.UsernamePassword(USER, password));
  }

  @Test
  void noChangePollReadsOneRefAdvertisementAndFetchesNothing() {
    // Under protocol v2 the advertisement is GET info/refs plus one ls-refs POST limited to the
    // branch.
    try (GitMirror mirror = GitMirror.open(remote(PASSWORD), tmp.resolve("data"))) {
      mirror.poll();
      server.resetCounts();

      PollResult result = mirror.poll();

      assertNull(result.snapshot());
      assertFalse(result.fetched());
      assertEquals(1, server.count(Kind.UPLOAD_PACK_ADVERTISEMENT));
      assertEquals(1, server.count(Kind.LS_REFS));
      assertEquals(0, server.count(Kind.UPLOAD_PACK));
    }
  }

  @Test
  void newCommitIsFetchedOverHttpWithCredentials() {
    try (GitMirror mirror = GitMirror.open(remote(PASSWORD), tmp.resolve("data"))) {
      mirror.poll();
      String sha = origin.commit("second", Map.of("apps/api.yaml", "app: api\n"));

      PollResult result = mirror.poll();

      assertTrue(result.fetched());
      assertEquals(sha, result.snapshot().revision());
      assertEquals(Set.of("apps/api.yaml"), result.changedPaths());
      assertTrue(server.count(Kind.UPLOAD_PACK) >= 1);
    }
  }

  @Test
  void wrongPasswordFailsWithAClearMessageThatDoesNotContainThePassword() {
    String wrong = "wr0ng-Secret-Value";
    try (GitMirror mirror = GitMirror.open(remote(wrong), tmp.resolve("data"))) {
      GitSourceException error = assertThrows(GitSourceException.class, mirror::poll);

      assertTrue(
          error.getMessage().contains("Cannot read branch main of " + url), error.getMessage());
      assertTrue(error.getMessage().toLowerCase().contains("not authorized"), error.getMessage());
      for (Throwable t = error; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains(wrong), t.toString());
      }
      assertTrue(server.unauthorized() >= 1);
    }
  }

  @Test
  void passwordInTheUrlNeverAppearsInErrors() {
    String wrong = "tok3n-In-Url";
    String withUserInfo = url.replace("http://", "http://" + USER + ":" + wrong + "@");
    try (GitMirror mirror =
        GitMirror.open(GitRemote.of(withUserInfo, "main", ""), tmp.resolve("data"))) {
      GitSourceException error = assertThrows(GitSourceException.class, mirror::poll);

      assertTrue(error.getMessage().contains("http://***@127.0.0.1"), error.getMessage());
      for (Throwable t = error; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains(wrong), t.toString());
      }
    }
  }

  @Test
  void reopenedMirrorIsReusedWithoutFetchingAgain() {
    Path data = tmp.resolve("data");
    try (GitMirror first = GitMirror.open(remote(PASSWORD), data)) {
      first.poll();
    }
    server.resetCounts();

    try (GitMirror reopened = GitMirror.open(remote(PASSWORD), data)) {
      PollResult result = reopened.poll();

      assertEquals(origin.head(), result.snapshot().revision());
      assertEquals(Set.of("apps/web.yaml"), result.changedPaths());
      assertFalse(result.fetched());
      assertEquals(0, server.count(Kind.UPLOAD_PACK));
    }
  }

  @Test
  void reopenedMirrorFetchesOnlyWhenTheBranchMoved() {
    Path data = tmp.resolve("data");
    try (GitMirror first = GitMirror.open(remote(PASSWORD), data)) {
      first.poll();
    }
    String sha = origin.commit("while down", Map.of("apps/web.yaml", "app: web\nversion: \"2\"\n"));

    try (GitMirror reopened = GitMirror.open(remote(PASSWORD), data)) {
      PollResult result = reopened.poll();

      assertTrue(result.fetched());
      assertEquals(sha, result.snapshot().revision());
    }
  }

  @Test
  void commitPushedOverHttpIsSeenByTheNextPoll() {
    try (GitMirror mirror = GitMirror.open(remote(PASSWORD), tmp.resolve("data"));
        TestRepo author = TestRepo.create(tmp.resolve("author"))) {
      mirror.poll();
      String pushed =
          author.commit(
              "rewrite from another clone", Map.of("apps/web.yaml", "app: web\nversion: \"9\"\n"));

      author.pushTo(url, USER, PASSWORD, true);
      PollResult result = mirror.poll();

      assertEquals(1, server.count(Kind.RECEIVE_PACK));
      assertEquals(pushed, result.snapshot().revision());
      assertEquals(Set.of("apps/web.yaml"), result.changedPaths());
    }
  }
}
