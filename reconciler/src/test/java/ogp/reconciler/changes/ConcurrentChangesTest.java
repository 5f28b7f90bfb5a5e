package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentChangesTest {
  @TempDir Path tmp;

  @Test
  void twentyConcurrentDeploysToTwentyAppsAllLandAsTwentyCommits() throws Exception {
    Map<String, String> files = new HashMap<>();
    for (int i = 0; i < 20; i++)
      files.put("apps/app" + i + ".yaml", ChangeFixture.app("app" + i, "1"));
    try (ChangeFixture f = new ChangeFixture(tmp, files)) {
      String start = f.remoteHead();
      ExecutorService pool = Executors.newFixedThreadPool(20);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<ChangeResult>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String app = "app" + i;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return f.service.deploy(
                      app, Optional.of("2"), Optional.empty(), ChangeFixture.ALICE);
                }));
      }
      go.countDown();
      Set<String> shas = new HashSet<>();
      for (Future<ChangeResult> r : results) shas.add(r.get().commit().orElseThrow());
      pool.shutdown();

      Set<String> subjects = new HashSet<>();
      try (Repository remote = f.remote();
          RevWalk walk = new RevWalk(remote)) {
        walk.markStart(walk.parseCommit(remote.resolve("refs/heads/main")));
        walk.markUninteresting(walk.parseCommit(ObjectId.fromString(start)));
        for (RevCommit c : walk) {
          subjects.add(c.getShortMessage());
          assertTrue(
              shas.contains(c.getName()), "every commit on the branch is one of the results");
        }
      }
      assertEquals(20, subjects.size(), "20 commits, none lost: " + subjects);
      for (int i = 0; i < 20; i++) assertTrue(subjects.contains("Deploy app" + i + " 2"));
      for (int i = 0; i < 20; i++) {
        assertEquals("2", f.service.history("app" + i).get(0).versionAfter().orElseThrow());
      }
    }
  }

  @Test
  void pushRejectedBecauseTheBranchMovedIsReappliedOnTheNewTip() {
    Map<String, String> files =
        Map.of(
            "apps/web.yaml",
            ChangeFixture.app("web", "41"),
            "apps/api.yaml",
            ChangeFixture.app("api", "7"));
    try (ChangeFixture f = new ChangeFixture(tmp, files)) {
      AtomicBoolean moved = new AtomicBoolean();
      FollowedBranch racing =
          new FollowedBranch(f.mirror) {
            @Override
            Outcome publish(ObjectId expected, ObjectId commit) {
              if (moved.compareAndSet(false, true)) {
                // Someone else pushes between our fetch and our push.
                f.commitElsewhere(
                    "Deploy api 8", Map.of("apps/api.yaml", ChangeFixture.app("api", "8")));
              }
              return super.publish(expected, commit);
            }
          };
      ChangeService service = new ChangeService(f.mirror, racing, () -> {});

      ChangeResult result =
          service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE);

      RevCommit landed = f.remoteCommit(result.commit().orElseThrow());
      assertEquals("Deploy web 42", landed.getShortMessage());
      assertEquals(
          "Deploy api 8",
          f.remoteCommit(landed.getParent(0).getName()).getShortMessage(),
          "re-applied on top of the other push, which is kept");
      assertTrue(f.diffOf(landed.getName()).contains("+version: \"42\""));
    }
  }

  @Test
  void aChangeThatNoLongerAppliesAfterTheBranchMovedIsReportedNotForced() {
    Map<String, String> files = Map.of("apps/web.yaml", ChangeFixture.app("web", "41"));
    try (ChangeFixture f = new ChangeFixture(tmp, files)) {
      FollowedBranch racing =
          new FollowedBranch(f.mirror) {
            private boolean once;

            @Override
            Outcome publish(ObjectId expected, ObjectId commit) {
              if (!once) {
                once = true;
                f.commitElsewhere("Remove web", Map.of("apps/web.yaml", "# nothing here\n"));
              }
              return super.publish(expected, commit);
            }
          };
      ChangeService service = new ChangeService(f.mirror, racing, () -> {});
      org.junit.jupiter.api.Assertions.assertThrows(
          UnknownApp.class,
          () -> service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE));
      assertEquals("Remove web", f.remoteCommit(f.remoteHead()).getShortMessage());
    }
  }
}
