package ogp.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventReason;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import ogp.reconciler.watch.WatchSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 500 concurrent watchers against a running server: every one gets every change, and the cost is
 * measured (heap after GC, process CPU, threads) and printed. Client and server share this JVM, so
 * the numbers include the client's side; they are an upper bound for the server.
 */
class WatchScaleTest {
  private static final int WATCHERS = 500;
  private static final int CHANGES = 200;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** Polled often: the time the changes take to reach every watcher is printed. */
  private static final Duration POLL = Duration.ofMillis(20);

  @TempDir Path tmp;
  private TestRepo repo;
  private ServerProcess server;
  private final List<CompletableFuture<?>> streams = new ArrayList<>();
  private java.util.concurrent.ExecutorService clientThreads;

  @AfterEach
  void stop() {
    streams.forEach(s -> s.cancel(true));
    if (server != null) server.close();
    if (repo != null) repo.close();
    if (clientThreads != null) clientThreads.shutdownNow();
  }

  @Test
  void fiveHundredWatchersEachGetEveryChangeWithoutAThreadEach() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit("Place web 1", Map.of("apps/web.yaml", TestApps.web("1")));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(repo.url(), "main", ""),
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null),
            // One token opens every watcher here: raise its limit (16 by default) to the test's
            // count.
            WatchSettings.defaults().withWatcherLimits(WATCHERS, WATCHERS));
    int serverWatchers = server.watchHub().watchers(); // the portal follows the stream too
    var memory = ManagementFactory.getMemoryMXBean();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var threads = ManagementFactory.getThreadMXBean();
    long heapBefore = usedHeapAfterGc(memory);
    int threadsBefore = threads.getThreadCount();

    // A small fixed executor, so the client's own threads do not blur the count of the server's.
    clientThreads = java.util.concurrent.Executors.newFixedThreadPool(4);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(clientThreads)
            .build();
    AtomicLong listsDone = new AtomicLong();
    AtomicLong eventsSeen = new AtomicLong();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/watch"))
            .header("Authorization", "Bearer " + server.adminToken().reveal())
            .build();
    for (int i = 0; i < WATCHERS; i++) {
      streams.add(
          http.sendAsync(
              request,
              HttpResponse.BodyHandlers.fromLineSubscriber(new Counting(listsDone, eventsSeen))));
    }
    await("every watcher got its initial list")
        .atMost(DEADLINE)
        .pollInterval(POLL)
        .until(listsDone::get, done -> done == WATCHERS);
    assertEquals(serverWatchers + WATCHERS, server.watchHub().watchers());
    long heapWatching = usedHeapAfterGc(memory);
    int threadsWatching = threads.getThreadCount();
    Map<String, Long> byName =
        Thread.getAllStackTraces().keySet().stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    t -> t.getName().replaceAll("[-_]?\\d+$", ""),
                    java.util.TreeMap::new,
                    java.util.stream.Collectors.counting()));
    System.out.println("threads by name while watching: " + byName);
    // Jetty's pool grows during the burst of 500 connects and keeps idle threads for a while; what
    // matters is
    // that none of them is parked in OGP code serving a watcher.
    long jettyThreadsInOgpCode =
        Thread.getAllStackTraces().entrySet().stream()
            .filter(e -> e.getKey().getName().startsWith("JettyServerThreadPool"))
            .filter(
                e ->
                    java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().startsWith("ogp.")))
            .count();

    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    for (int i = 0; i < CHANGES; i++)
      server
          .events()
          .record(
              Event.of(java.time.Clock.systemUTC(), EventReason.ROLLBACK_COMMITTED, "change " + i)
                  .withApp("web"));
    long expected = (long) WATCHERS * CHANGES;
    await("every watcher got every change, " + expected + " lines")
        .atMost(DEADLINE)
        .pollInterval(POLL)
        .until(eventsSeen::get, seen -> seen == expected);
    long deliverMillis = (System.nanoTime() - start) / 1_000_000;
    long cpuMillis = (os.getProcessCpuTime() - cpuStart) / 1_000_000;

    System.out.printf(
        "%d watchers: used heap after GC %.1f MiB -> %.1f MiB (%.1f KiB per watcher), threads %d -> %d;%n"
            + "  %d changes x %d watchers = %d lines delivered in %d ms using %d ms of process CPU (client included)%n",
        WATCHERS,
        heapBefore / 1048576.0,
        heapWatching / 1048576.0,
        (heapWatching - heapBefore) / 1024.0 / WATCHERS,
        threadsBefore,
        threadsWatching,
        CHANGES,
        WATCHERS,
        expected,
        deliverMillis,
        cpuMillis);
    assertEquals(0, jettyThreadsInOgpCode, "no request thread is held by a watcher");
    assertTrue(
        byName.getOrDefault("ogp-watch-writer", 0L) <= 4,
        "a few writer threads serve every watcher");
    assertTrue(
        heapWatching - heapBefore < WATCHERS * 256L * 1024,
        "each watcher costs well under 256 KiB of heap");
  }

  private static long usedHeapAfterGc(java.lang.management.MemoryMXBean memory) {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Counts lines without keeping them: the end of the initial list and the changes. */
  private record Counting(AtomicLong listsDone, AtomicLong eventsSeen)
      implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.contains("\"initialEventsEnd\":true")) listsDone.incrementAndGet();
      else if (line.contains("\"kind\":\"Event\"") && line.contains("RollbackCommitted"))
        eventsSeen.incrementAndGet();
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}
  }
}
