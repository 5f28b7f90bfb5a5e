package ogp.reconciler.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.HealthCheck;
import ogp.protocol.v1.HttpProbe;
import ogp.reconciler.desired.UpdatePolicy;
import ogp.reconciler.plan.RolloutStatus;
import org.junit.jupiter.api.Test;

/**
 * The rollout rules of {@link RolloutStep}, on reports made up for each case (pure logic, no
 * agents).
 */
class RolloutStepTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private static final UpdatePolicy ONE_AT_A_TIME =
      new UpdatePolicy(1, Duration.ofSeconds(60), false);
  private static final ContainerSpec OLD = spec("41");
  private static final ContainerSpec NEW = spec("42");

  private final RolloutProgress progress = new RolloutProgress(List.of(NEW.getSpecHash()));

  @Test
  void oneAtATimeGivesTheNewVersionToTheFirstHostOnlyAndKeepsTheOthers() {
    RolloutStatus status =
        step(
            ONE_AT_A_TIME,
            T0,
            running("a", OLD, true),
            running("b", OLD, true),
            running("c", OLD, true));

    assertEquals(List.of("a"), status.updating());
    assertEquals(List.of("b", "c"), status.waiting());
    assertEquals(RolloutStatus.PROGRESSING, status.phase());
  }

  @Test
  void theNextHostGetsTheVersionOnlyAfterThePreviousOneIsHealthyOnIt() {
    step(ONE_AT_A_TIME, T0, running("a", OLD, true), running("b", OLD, true));
    RolloutStatus notYet =
        step(ONE_AT_A_TIME, T0.plusSeconds(5), running("a", NEW, false), running("b", OLD, true));
    assertEquals(List.of("b"), notYet.waiting(), "a runs the new version but is not healthy yet");

    RolloutStatus next =
        step(ONE_AT_A_TIME, T0.plusSeconds(6), running("a", NEW, true), running("b", OLD, true));
    assertEquals(List.of("a"), next.updated());
    assertEquals(List.of("b"), next.updating());
    assertEquals(List.of(), next.waiting());
  }

  @Test
  void aHostNotHealthyByTheDeadlineFailsTheRolloutAndTheRestKeepTheirVersion() {
    step(
        ONE_AT_A_TIME,
        T0,
        running("a", OLD, true),
        running("b", OLD, true),
        running("c", OLD, true));
    RolloutStatus failed =
        step(
            ONE_AT_A_TIME,
            T0.plusSeconds(61),
            running("a", NEW, false),
            running("b", OLD, true),
            running("c", OLD, true));

    assertEquals(RolloutStatus.FAILED, failed.phase());
    assertEquals(List.of("a"), failed.failed());
    assertEquals(List.of("b", "c"), failed.waiting());
    assertTrue(failed.message().contains("not healthy within 60s on a"), failed.message());
  }

  @Test
  void aFailedRolloutStaysFailedEvenWhenTheHostRecoversLater() {
    step(ONE_AT_A_TIME, T0, running("a", OLD, true), running("b", OLD, true));
    step(ONE_AT_A_TIME, T0.plusSeconds(61), running("a", NEW, false), running("b", OLD, true));

    RolloutStatus later =
        step(ONE_AT_A_TIME, T0.plusSeconds(90), running("a", NEW, true), running("b", OLD, true));

    assertEquals(RolloutStatus.FAILED, later.phase());
    assertEquals(List.of("b"), later.waiting());
  }

  @Test
  void aHostThatWasHealthyOnTheVersionOnceIsNotAFailureWhenItTurnsUnhealthyLater() {
    step(ONE_AT_A_TIME, T0, running("a", OLD, true));
    step(ONE_AT_A_TIME, T0.plusSeconds(1), running("a", NEW, true));

    RolloutStatus later = step(ONE_AT_A_TIME, T0.plusSeconds(600), running("a", NEW, false));

    assertEquals(RolloutStatus.COMPLETE, later.phase());
    assertEquals(List.of(), later.failed());
  }

  @Test
  void hostsWithNothingRunningGetTheVersionAtOnce() {
    RolloutStatus status = step(ONE_AT_A_TIME, T0, empty("a"), empty("b"), exited("c", OLD));

    assertEquals(List.of("a", "b", "c"), status.updating());
    assertEquals(List.of(), status.waiting());
  }

  @Test
  void aHostWhoseContainersCannotBeKeptGetsTheVersionRatherThanBeingHeld() {
    RolloutStatus status =
        RolloutStep.advance(
            "42",
            ONE_AT_A_TIME,
            List.of(NEW),
            hosts(running("a", OLD, true), running("b", OLD, true)),
            progress,
            host -> false,
            T0);

    assertEquals(List.of("a", "b"), status.updating());
  }

  @Test
  void maxParallelTwoKeepsTwoHostsUpdatingAtOnce() {
    UpdatePolicy two = new UpdatePolicy(2, Duration.ofSeconds(60), false);
    RolloutStatus status =
        step(two, T0, running("a", OLD, true), running("b", OLD, true), running("c", OLD, true));

    assertEquals(List.of("a", "b"), status.updating());
    assertEquals(List.of("c"), status.waiting());
  }

  @Test
  void withoutMaxParallelEveryHostGetsTheVersionAtOnceAndFailureIsStillDetected() {
    UpdatePolicy all = new UpdatePolicy(0, Duration.ofSeconds(10), true);
    RolloutStatus started = step(all, T0, running("a", OLD, true), running("b", OLD, true));
    assertEquals(List.of("a", "b"), started.updating());

    RolloutStatus failed =
        step(all, T0.plusSeconds(11), running("a", NEW, true), running("b", NEW, false));
    assertEquals(List.of("b"), failed.failed());
    assertEquals(List.of("a"), failed.updated());
  }

  @Test
  void aDisconnectedHostIsNeitherUpdatedNorHeldNorFailed() {
    RolloutHost gone = new RolloutHost("a", false, List.of(status(OLD, "running", true)));
    RolloutStatus status = step(ONE_AT_A_TIME, T0.plusSeconds(1000), gone, running("b", OLD, true));

    assertEquals(List.of("b"), status.updating());
    assertEquals(List.of(), status.failed());
    assertEquals(List.of(), status.waiting());
  }

  @Test
  void aHostThatMayStillBeUpdatingAfterARestartHoldsTheOnlySlot() {
    RolloutHost notReportedYet = new RolloutHost("a", false, List.of(), true);
    RolloutStatus status =
        step(ONE_AT_A_TIME, T0, notReportedYet, running("b", OLD, true), running("c", OLD, true));

    assertEquals(List.of(), status.updating(), "no host starts while a may be mid-update");
    assertEquals(List.of("b", "c"), status.waiting());
  }

  @Test
  void aHostThatMayStillBeUpdatingLeavesTheOtherSlotsOfMaxParallelFree() {
    UpdatePolicy two = new UpdatePolicy(2, Duration.ofSeconds(60), false);
    RolloutHost notReportedYet = new RolloutHost("a", false, List.of(), true);
    RolloutStatus status =
        step(two, T0, notReportedYet, running("b", OLD, true), running("c", OLD, true));

    assertEquals(List.of("b"), status.updating());
    assertEquals(List.of("c"), status.waiting());
  }

  @Test
  void aRestartedServerFindingAHostMidUpdateGivesItAFullDeadline() {
    RolloutProgress fresh = new RolloutProgress(List.of(NEW.getSpecHash()));
    Instant restart = T0.plusSeconds(3600);
    RolloutStatus atStart =
        RolloutStep.advance(
            "42",
            ONE_AT_A_TIME,
            List.of(NEW),
            hosts(running("a", NEW, false), running("b", OLD, true)),
            fresh,
            host -> true,
            restart);
    assertEquals(List.of("a"), atStart.updating(), "counted as updating, not failed");
    assertEquals(List.of("b"), atStart.waiting());

    RolloutStatus later =
        RolloutStep.advance(
            "42",
            ONE_AT_A_TIME,
            List.of(NEW),
            hosts(running("a", NEW, false), running("b", OLD, true)),
            fresh,
            host -> true,
            restart.plusSeconds(61));
    assertEquals(List.of("a"), later.failed());
  }

  // --- fixtures ------------------------------------------------------------------------------

  private RolloutStatus step(UpdatePolicy policy, Instant now, RolloutHost... hosts) {
    return RolloutStep.advance(
        "42", policy, List.of(NEW), hosts(hosts), progress, host -> true, now);
  }

  private static List<RolloutHost> hosts(RolloutHost... hosts) {
    return new ArrayList<>(List.of(hosts));
  }

  private static ContainerSpec spec(String version) {
    return SpecHash.withHash(
        ContainerSpec.newBuilder()
            .setApp("web")
            .setImage("busybox")
            .setVersion(version)
            .setState(ContainerSpec.RunState.RUNNING)
            .setHealth(
                HealthCheck.newBuilder().setHttp(HttpProbe.newBuilder().setPort(8080).setPath("/")))
            .build());
  }

  private static ContainerStatus status(ContainerSpec spec, String state, boolean healthy) {
    return ContainerStatus.newBuilder()
        .setApp("web")
        .setVersion(spec.getVersion())
        .setContainerId("c-" + spec.getVersion())
        .setState(state)
        .setSpecHash(spec.getSpecHash())
        .setRevision("r" + spec.getVersion())
        .setHealth(healthy ? ContainerStatus.Health.HEALTHY : ContainerStatus.Health.STARTING)
        .build();
  }

  private static RolloutHost running(String host, ContainerSpec spec, boolean healthy) {
    return new RolloutHost(host, true, List.of(status(spec, "running", healthy)));
  }

  private static RolloutHost exited(String host, ContainerSpec spec) {
    return new RolloutHost(host, true, List.of(status(spec, "exited", false)));
  }

  private static RolloutHost empty(String host) {
    return new RolloutHost(host, true, List.of());
  }
}
