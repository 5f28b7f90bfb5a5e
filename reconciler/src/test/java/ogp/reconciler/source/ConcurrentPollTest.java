package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentPollTest {
  @TempDir Path tmp;

  @Test
  void concurrentPollsProduceExactlyOneSnapshotOfANewCommit() throws Exception {
    try (TestRepo origin = TestRepo.create(tmp.resolve("origin"));
        GitMirror mirror = openAfterCommit(origin)) {
      mirror.poll();
      String sha = origin.commit("second", Map.of("b.yaml", "b"));
      int threads = 4;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<PollResult>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return mirror.poll();
                  }));
        }
        start.countDown();
        int snapshots = 0;
        for (Future<PollResult> result : results) {
          if (result.get(30, TimeUnit.SECONDS).changed()) {
            snapshots++;
          }
        }
        assertEquals(1, snapshots);
        assertEquals(sha, mirror.current().orElseThrow().revision());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private GitMirror openAfterCommit(TestRepo origin) {
    origin.commit("first", Map.of("a.yaml", "a"));
    return GitMirror.open(GitRemote.of(origin.url(), "main", ""), tmp.resolve("data"));
  }
}
