package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ogp.reconciler.desired.ParseCache;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmStandbyTest {
  @TempDir Path tmp;

  private static String app(String name, String version) {
    return "app: " + name + "\nimage: busybox\nversion: \"" + version + "\"\nhosts: [a]\n";
  }

  /** A standby following two apps at their first commit while the branch is one commit ahead. */
  private record Following(String applied, WarmStandby standby, ParseCache cache) {}

  private Following standbyAtTheFirstOfTwoCommits(TestRepo repo, String dir) throws Exception {
    String applied =
        repo.commit(
            "two apps", Map.of("apps/web.yaml", app("web", "1"), "apps/db.yaml", app("db", "1")));
    repo.commit("web 2", Map.of("apps/web.yaml", app("web", "2")));
    Path dataDir = Files.createDirectories(tmp.resolve(dir));
    Path appliedFile = dataDir.resolve(ServerProcess.APPLIED_REVISION_FILE);
    Files.writeString(appliedFile, applied + "\n");
    ParseCache cache = new ParseCache();
    WarmStandby standby =
        WarmStandby.start(
            GitRemote.of(repo.url(), "main", ""),
            dataDir,
            Duration.ofSeconds(10),
            appliedFile,
            cache);
    await().atMost(Duration.ofSeconds(20)).until(() -> cache.size() == 2);
    return new Following(applied, standby, cache);
  }

  @Test
  void aStandbyFetchesAndParsesTheRevisionTheLeaderAppliedNotTheBranchHead() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      Following f = standbyAtTheFirstOfTwoCommits(repo, "data");
      try (GitMirror mirror = f.standby().handOver()) {
        assertTrue(mirror.contains(f.applied()), "the leader's revision is in the mirror");
        // The branch was not moved: the server's first poll still reads the whole tree.
        assertTrue(mirror.current().isEmpty());
        // What was parsed is web at version 1 (the applied revision), not the head's 2.
        var reader = new ogp.reconciler.desired.DesiredStateReader();
        f.cache().read(reader, "apps/web.yaml", app("web", "1").getBytes(StandardCharsets.UTF_8));
        assertEquals(1, f.cache().hits());
      }
    }
  }

  @Test
  void aServerGivenTheWarmCacheParsesOnlyWhatChangedSinceTheLeadersRevision() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo2"))) {
      Following f = standbyAtTheFirstOfTwoCommits(repo, "data2");
      try (GitMirror mirror = f.standby().handOver()) {
        var source =
            new ogp.reconciler.control.DesiredStateSource(
                mirror, java.time.Clock.systemUTC(), a -> {}, null, f.cache());
        assertTrue(source.refresh());
        assertEquals("2", source.applied().orElseThrow().state().apps().get("web").version());
        // db.yaml came from the standby's parse; only web.yaml (changed since) was parsed again.
        assertEquals(3, f.cache().misses());
        assertEquals(1, f.cache().hits());
      }
    }
  }
}
