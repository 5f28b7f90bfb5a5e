package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's serial writer: changes that wait together land as one commit each, and one refusal
 * sinks nothing.
 */
class SerialWriterTest {
  @TempDir Path tmp;

  @Test
  void concurrentDeploysOfOneAppEachBecomeTheirOwnCommitAndTheLastCommittedVersionIsTheHead()
      throws Exception {
    try (ChangeFixture f = ChangeFixture.webAndApi(tmp)) {
      f.service.serialized();
      String start = f.remoteHead();
      ExecutorService pool = Executors.newFixedThreadPool(12);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<ChangeResult>> results = new ArrayList<>();
      for (int v = 50; v < 62; v++) {
        String version = Integer.toString(v);
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return f.service.deploy(
                      "web", Optional.of(version), Optional.empty(), ChangeFixture.ALICE);
                }));
      }
      Future<ChangeResult> unknown =
          pool.submit(
              () -> {
                go.await();
                return f.service.deploy(
                    "nosuch", Optional.of("1"), Optional.empty(), ChangeFixture.ALICE);
              });
      go.countDown();
      Set<String> shas = new HashSet<>();
      for (Future<ChangeResult> r : results)
        shas.add(r.get(60, TimeUnit.SECONDS).commit().orElseThrow());
      ExecutionException refused =
          assertThrows(ExecutionException.class, () -> unknown.get(60, TimeUnit.SECONDS));
      assertInstanceOf(UnknownApp.class, refused.getCause(), "the refusal is answered on its own");
      pool.shutdown();

      assertEquals(12, shas.size(), "twelve distinct commits");
      List<String> subjects = new ArrayList<>();
      try (Repository remote = f.remote();
          RevWalk walk = new RevWalk(remote)) {
        walk.markStart(walk.parseCommit(remote.resolve("refs/heads/main")));
        walk.markUninteresting(walk.parseCommit(ObjectId.fromString(start)));
        for (RevCommit c : walk) {
          assertTrue(
              shas.contains(c.getName()), "every commit on the branch is one of the answers");
          assertEquals(1, c.getParentCount(), "a straight line of commits");
          subjects.add(c.getShortMessage());
        }
      }
      assertEquals(12, subjects.size(), "every requested version is its own commit: " + subjects);
      String newest = subjects.get(0).replace("Deploy web ", "");
      assertTrue(
          f.diffOf(f.remoteHead()).contains("+version: \"" + newest + "\""),
          "the head sets the newest commit's version");
    }
  }
}
