package ogp.reconciler.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.plan.AssignmentBuilder;
import ogp.reconciler.plan.FleetPlan;
import ogp.reconciler.plan.RolloutStatus;
import ogp.reconciler.testing.MutableClock;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health-gated rollouts over time, with a clock the test moves: one host at a time, a failure after
 * the healthy deadline, and the grace after a server start during which a host that has not
 * reported may still be mid-update. A real repository holds both versions, so what hosts keep is
 * rebuilt from Git as in production.
 */
class RolloutsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at("2026-12-07T00:00:00Z");
  private final List<RolloutFailure> failures = new ArrayList<>();
  private final Map<String, HostRecord> hosts = new TreeMap<>();
  private TestRepo repo;
  private String v1;
  private String v2;
  private App web1;
  private App web2;

  @BeforeEach
  void twoVersionsInGit() {
    repo = TestRepo.create(tmp.resolve("repo"));
    v1 = repo.commit("v1", Map.of("apps/web.yaml", web("41")));
    v2 = repo.commit("v2", Map.of("apps/web.yaml", web("42")));
    web1 = app(web("41"));
    web2 = app(web("42"));
  }

  @AfterEach
  void close() {
    repo.close();
  }

  @Test
  void oneHostAtATimeGetsTheNewVersionAndTheNextWhenItIsHealthy() {
    Rollouts rollouts = rollouts();
    running("a", web1, v1, ContainerStatus.Health.HEALTHY);
    running("b", web1, v1, ContainerStatus.Health.HEALTHY);

    evaluate(rollouts);
    assertEquals("42", versionSentTo(rollouts, "a"), "the first host gets the new version");
    assertEquals("41", versionSentTo(rollouts, "b"), "the second keeps what it runs");

    clock.advance(Duration.ofSeconds(5));
    running("a", web2, v2, ContainerStatus.Health.HEALTHY);
    evaluate(rollouts);
    assertEquals("42", versionSentTo(rollouts, "b"), "a turned healthy: b's turn");
    assertEquals(RolloutStatus.PROGRESSING, rollouts.status("web").orElseThrow().phase());

    running("b", web2, v2, ContainerStatus.Health.HEALTHY);
    evaluate(rollouts);
    assertEquals(RolloutStatus.COMPLETE, rollouts.status("web").orElseThrow().phase());
    assertEquals(List.of(), failures);
  }

  @Test
  void aHostNotHealthyByTheDeadlineFailsTheRolloutOnceAndTheOthersKeepTheirVersion() {
    Rollouts rollouts = rollouts();
    running("a", web1, v1, ContainerStatus.Health.HEALTHY);
    running("b", web1, v1, ContainerStatus.Health.HEALTHY);
    evaluate(rollouts);
    running("a", web2, v2, ContainerStatus.Health.UNHEALTHY);

    clock.advance(DEADLINE);
    evaluate(rollouts);
    assertEquals(
        RolloutStatus.PROGRESSING, rollouts.status("web").orElseThrow().phase(), "at the deadline");
    assertEquals(List.of(), failures);

    clock.advance(Duration.ofMillis(1));
    evaluate(rollouts);
    evaluate(rollouts);
    assertEquals(
        RolloutStatus.FAILED, rollouts.status("web").orElseThrow().phase(), "past the deadline");
    assertEquals(1, failures.size(), "told once: " + failures);
    assertEquals(List.of("a"), failures.get(0).hosts());
    assertEquals("41", versionSentTo(rollouts, "b"), "no further host gets the version");
  }

  @Test
  void afterAStartAHostThatHasNotReportedHoldsASlotUntilTheDeadlineHasPassed() {
    Rollouts rollouts = rollouts(); // the server starts now
    running("a", web1, v1, ContainerStatus.Health.HEALTHY);
    // b is listed but its agent has not connected since the start: an earlier server run may
    // have given it the new version, so it counts as updating for one healthy deadline.
    evaluate(rollouts);
    assertEquals("41", versionSentTo(rollouts, "a"), "the one slot may be b's");

    clock.advance(DEADLINE.plusMillis(1));
    evaluate(rollouts);
    assertEquals("42", versionSentTo(rollouts, "a"), "after the grace the slot is free");
  }

  @Test
  void afterAFailoverAHostThatHasNotReportedHoldsItsSlotForTheReconnectGraceWhenThatIsLonger() {
    // A new leader: its agents have the lost grace (here 15 s, longer than the 10 s deadline) to
    // find it, and b, on its way back, may be mid-update from the leader before.
    Rollouts rollouts =
        new Rollouts(repo.repository(), "", clock, Duration.ofSeconds(15), failures::add);
    running("a", web1, v1, ContainerStatus.Health.HEALTHY);

    clock.advance(DEADLINE.plusMillis(1));
    evaluate(rollouts);
    assertEquals("41", versionSentTo(rollouts, "a"), "past the deadline the slot may still be b's");

    clock.advance(Duration.ofSeconds(5));
    evaluate(rollouts);
    assertEquals("42", versionSentTo(rollouts, "a"), "after the reconnect grace the slot is free");
  }

  @Test
  void aConnectedHostIsHeldUntilItHasReportedAndIsDecidedByTheNextEvaluation() {
    Rollouts rollouts = rollouts();
    connectedWithoutReport("a");
    evaluate(rollouts);
    assertTrue(rollouts.holds("a", Map.of()), "what a runs is unknown");

    running("a", web1, v1, ContainerStatus.Health.HEALTHY);
    assertTrue(rollouts.holds("a", Map.of()), "reported, but not evaluated yet");
    assertTrue(
        evaluate(rollouts).contains("a"), "the evaluation that decides a asks to reconcile it");
    assertFalse(rollouts.holds("a", Map.of()));
  }

  private Rollouts rollouts() {
    return new Rollouts(repo.repository(), "", clock, failures::add);
  }

  private java.util.Set<String> evaluate(Rollouts rollouts) {
    DesiredState state = DesiredState.of(List.of(web2));
    FleetPlan plan = FleetPlan.EMPTY.next(state, app -> v2);
    return rollouts.evaluate(state, v2, plan, this::allHosts);
  }

  private Collection<HostRecord> allHosts() {
    return List.copyOf(hosts.values());
  }

  /** The version the host would be sent now: the plan's, unless the rollout keeps what it runs. */
  private String versionSentTo(Rollouts rollouts, String host) {
    List<ContainerSpec> planned = List.of(AssignmentBuilder.spec(web2, 0, v2));
    List<ContainerSpec> sent = rollouts.adjust(host, planned);
    assertEquals(1, sent.size(), sent.toString());
    return sent.get(0).getVersion();
  }

  private void running(String host, App app, String revision, ContainerStatus.Health health) {
    ContainerSpec spec = AssignmentBuilder.spec(app, 0, revision);
    ContainerStatus status =
        ContainerStatus.newBuilder()
            .setApp(spec.getApp())
            .setInstance(0)
            .setVersion(spec.getVersion())
            .setContainerId("c-" + host + "-" + spec.getVersion())
            .setState("running")
            .setHealth(health)
            .setRevision(revision)
            .setSpecHash(spec.getSpecHash())
            .build();
    StatusReport report = StatusReport.newBuilder().addContainers(status).build();
    hosts.put(host, host(host, Optional.of(report)));
  }

  private void connectedWithoutReport(String host) {
    hosts.put(host, host(host, Optional.empty()));
  }

  private HostRecord host(String id, Optional<StatusReport> report) {
    Instant now = clock.instant();
    return new HostRecord(
        id,
        Map.of(),
        "test",
        "test",
        "127.0.0.1:1",
        HostRecord.Liveness.CONNECTED,
        now,
        report,
        Map.of());
  }

  private static String web(String version) {
    return """
        app: web
        image: busybox
        version: "%s"
        hosts: [a, b]
        health:
          tcp: 8080
        update:
          maxParallel: 1
          healthyDeadline: 10s
        """
        .formatted(version);
  }

  private static App app(String yaml) {
    return new DesiredStateReader()
        .readFile("apps/web.yaml", yaml.getBytes(StandardCharsets.UTF_8))
        .apps()
        .get(0);
  }
}
