package ogp.reconciler.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentLinks;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.rollout.RolloutFailure;
import ogp.reconciler.rollout.Rollouts;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.MutableClock;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control loop driven step by step: a real desired-state repository, fake agents and a clock
 * that moves only when the test says so. The test plays the reconcile worker ({@link
 * Reconciler#reconcileReadyHosts()}, {@link Reconciler#runDueTimers()}), so no thread runs.
 */
class ReconcilerTest {
  private static final Duration RESYNC = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at("2026-12-07T00:00:00Z");
  private final FakeAgents agents = new FakeAgents();
  private final List<RolloutFailure> failures = new ArrayList<>();
  private TestRepo repo;
  private GitMirror mirror;
  private HostQueue queue;
  private DesiredStateSource source;
  private Reconciler reconciler;

  @BeforeEach
  void aRepositoryAndALoopOverFakeAgents() {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit("Start", Map.of("apps/web.yaml", web("1", "")));
    mirror = GitMirror.open(GitRemote.of(repo.url(), "main", ""), tmp.resolve("data"));
    queue = new HostQueue(clock);
    SentAssignments sent = new SentAssignments(clock);
    ReconcilerObservers observers = new ReconcilerObservers();
    source =
        new DesiredStateSource(
            mirror, clock, applied -> queue.addAll(Reconciler.connectedHostIds(agents)));
    Rollouts rollouts = new Rollouts(mirror.repository(), "", clock, failures::add);
    reconciler =
        new Reconciler(
            source,
            agents,
            queue,
            sent,
            new PlanCache(),
            rollouts,
            observers,
            clock,
            Duration.ofSeconds(5),
            RESYNC);
  }

  @AfterEach
  void close() {
    reconciler.close();
    mirror.close();
    repo.close();
  }

  private static String web(String version, String extra) {
    return "app: web\nimage: busybox\nversion: \"" + version + "\"\nhosts: [a, b]\n" + extra;
  }

  @Test
  void nothingIsSentBeforeARevisionIsApplied() {
    agents.connect("a");
    queue.add("a");
    reconciler.reconcileReadyHosts();
    assertEquals(
        List.of(), agents.sent, "no desired state yet: say nothing rather than 'remove all'");
  }

  @Test
  void eventsForAHostCoalesceIntoOneAssignmentAndAnUnchangedOneIsNotSentAgain() {
    agents.connect("a");
    agents.connect("b");
    source.refresh();
    for (int i = 0; i < 5; i++) queue.add("a");
    reconciler.reconcileReadyHosts();
    assertEquals(List.of("a", "b"), agents.sentTo(), "one assignment per host");
    assertEquals("1", agents.sent.get(0).assignment().getContainers(0).getVersion());

    queue.addAll(List.of("a", "b"));
    reconciler.reconcileReadyHosts();
    assertEquals(2, agents.sent.size(), "each session has its assignment already");
  }

  @Test
  void aHostWhoseReconcileFailsIsRetriedWithABackoffThatASuccessResets() {
    agents.connect("a");
    source.refresh();
    agents.failSends(2);
    reconciler.reconcileReadyHosts();
    assertEquals(1, queue.failures("a"));
    clock.advance(Duration.ofMillis(99));
    reconciler.reconcileReadyHosts();
    assertEquals(1, agents.attempts, "not retried before 100 ms");
    clock.advance(Duration.ofMillis(1));
    reconciler.reconcileReadyHosts();
    assertEquals(2, agents.attempts, "retried at 100 ms");
    assertEquals(2, queue.failures("a"));
    clock.advance(Duration.ofMillis(199));
    reconciler.reconcileReadyHosts();
    assertEquals(2, agents.attempts, "the second backoff is 200 ms");
    clock.advance(Duration.ofMillis(1));
    reconciler.reconcileReadyHosts();
    assertEquals(3, agents.attempts);
    assertEquals(List.of("a"), agents.sentTo(), "the third attempt got through");
    assertEquals(0, queue.failures("a"), "a success resets the backoff");
    assertEquals(0, queue.size(), "nothing left to retry");
  }

  @Test
  void theResyncLooksAtEveryConnectedHostAgainAndResendsOnlyWhatWasLostInTransit() {
    agents.connect("a");
    agents.connect("b");
    source.refresh();
    reconciler.reconcileReadyHosts();
    long generationOfA = agents.sent.get(0).assignment().getGeneration();
    agents.report("a", generationOfA); // a confirms; b never does

    clock.advance(RESYNC.minusSeconds(1));
    reconciler.runDueTimers();
    reconciler.reconcileReadyHosts();
    assertEquals(2, agents.sent.size(), "no resync before its interval");

    clock.advance(Duration.ofSeconds(2));
    reconciler.runDueTimers();
    reconciler.reconcileReadyHosts();
    assertEquals(
        List.of("a", "b", "b"), agents.sentTo(), "only b's unconfirmed assignment is sent again");
  }

  @Test
  void aHostWithAGatedAppIsSentNothingUntilItHasReportedAndARolloutTickHasDecidedIt() {
    repo.commit("Gate web", Map.of("apps/web.yaml", web("2", "update:\n  maxParallel: 1\n")));
    agents.connect("a");
    source.refresh();
    reconciler.reconcileReadyHosts();
    assertEquals(
        List.of(),
        agents.sent,
        "what a runs is unknown: it may be mid-update from an earlier server run");

    agents.report("a", 0);
    queue.add("a");
    reconciler.reconcileReadyHosts();
    assertEquals(List.of(), agents.sent, "reported, but no evaluation has decided it yet");

    clock.advance(Reconciler.ROLLOUT_TICK);
    reconciler.runDueTimers();
    reconciler.reconcileReadyHosts();
    assertEquals(List.of("a"), agents.sentTo(), "the tick decided a and reconciled it");
  }

  @Test
  void aLostHostIsNeverSentAnything() {
    agents.connect("a");
    source.refresh();
    agents.lose("a");
    reconciler.reconcileReadyHosts();
    clock.advance(RESYNC.plusSeconds(1));
    reconciler.runDueTimers();
    reconciler.reconcileReadyHosts();
    assertTrue(agents.sent.isEmpty());
  }

  /**
   * Agents as the loop sees them: records of hosts, and sends that are recorded (or fail on
   * demand).
   */
  private final class FakeAgents implements AgentLinks {
    record Sent(String hostId, Assignment assignment) {}

    final Map<String, HostRecord> hosts = new ConcurrentHashMap<>();
    final List<Sent> sent = new ArrayList<>();
    int attempts;
    private int failuresLeft;

    void connect(String hostId) {
      hosts.put(hostId, record(hostId, HostRecord.Liveness.CONNECTED, Optional.empty()));
    }

    void lose(String hostId) {
      hosts.put(hostId, record(hostId, HostRecord.Liveness.LOST, hosts.get(hostId).lastReport()));
    }

    void report(String hostId, long generation) {
      StatusReport report = StatusReport.newBuilder().setGeneration(generation).build();
      hosts.put(hostId, record(hostId, HostRecord.Liveness.CONNECTED, Optional.of(report)));
    }

    void failSends(int times) {
      failuresLeft = times;
    }

    List<String> sentTo() {
      return sent.stream().map(Sent::hostId).toList();
    }

    private HostRecord record(
        String hostId, HostRecord.Liveness liveness, Optional<StatusReport> report) {
      Instant now = clock.instant();
      return new HostRecord(
          hostId, Map.of(), "test", "test", "127.0.0.1:1", liveness, now, report, Map.of());
    }

    @Override
    public Collection<HostRecord> hosts() {
      return List.copyOf(new java.util.TreeMap<>(hosts).values());
    }

    @Override
    public Optional<HostRecord> host(String hostId) {
      return Optional.ofNullable(hosts.get(hostId));
    }

    @Override
    public boolean send(String hostId, Assignment assignment) {
      attempts++;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new IllegalStateException("the channel refused the write");
      }
      sent.add(new Sent(hostId, assignment));
      return true;
    }
  }
}
