package ogp.reconciler.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.reconciler.desired.UpdatePolicy;
import ogp.reconciler.plan.RolloutStatus;

/**
 * One step of a health-gated rollout (SPEC §2 {@code update}): from what hosts report, decides
 * which hosts get the new version now and which keep what they run. Pure apart from the {@link
 * RolloutProgress} it updates, and level-triggered: it reads only the latest reports, so it can run
 * at any moment, any number of times.
 *
 * <p>Policy, per host the app is placed on (in host-id order):
 *
 * <ul>
 *   <li>a host that runs the new version, healthy, is <em>updated</em> for good: later trouble
 *       there is ordinary health, not a failed rollout;
 *   <li>a host given the new version (or found running it) and not healthy yet is
 *       <em>updating</em>; past {@code healthyDeadline} since it was given it, it has
 *       <em>failed</em>, and from then on no further host is given the version;
 *   <li>a host running none of the app, or only containers that do not run, has nothing worth
 *       keeping and is given the new version at once;
 *   <li>any other host is <em>waiting</em>: it keeps what it runs while {@code maxParallel} hosts
 *       are updating, and is given the version when a slot frees (a rolling window, not fixed
 *       batches: at most {@code maxParallel} hosts are between replacement and healthy at once). A
 *       host whose containers cannot be kept (their spec is not known) is given the version.
 * </ul>
 *
 * A host that is not connected is left alone: it is sent nothing until it is back. One that has not
 * reported since the server started may be mid-update (an earlier server run gave it the version):
 * while {@link RolloutHost#mayBeUpdating} it holds a slot, so a restarted server does not start
 * more hosts than {@code maxParallel} allows.
 */
final class RolloutStep {
  private RolloutStep() {}

  /**
   * @param desired the app's new specs for one host, by instance
   * @param hosts the hosts the app is placed on
   * @param canKeep whether a waiting host's current containers can be sent back to it unchanged
   */
  static RolloutStatus advance(
      String version,
      UpdatePolicy policy,
      List<ContainerSpec> desired,
      List<RolloutHost> hosts,
      RolloutProgress progress,
      Predicate<RolloutHost> canKeep,
      Instant now) {
    Set<String> targetHashes =
        desired.stream().map(ContainerSpec::getSpecHash).collect(Collectors.toSet());
    List<String> updating = new ArrayList<>();
    List<RolloutHost> waiting = new ArrayList<>();
    int unknown = 0; // not reported since the server started, and perhaps mid-update
    for (RolloutHost host :
        hosts.stream().sorted(java.util.Comparator.comparing(RolloutHost::hostId)).toList()) {
      String id = host.hostId();
      if (!host.connected()) {
        if (host.mayBeUpdating()) unknown++;
        continue;
      }
      // Terminal for this target: a new commit (a fix, or the rollback) starts a new rollout.
      if (progress.failed.contains(id)) continue;
      if (healthyOnTarget(host, desired)) {
        progress.done.add(id);
        progress.admittedAt.putIfAbsent(id, now);
        continue;
      }
      if (progress.done.contains(id)) continue;
      boolean onTarget =
          host.containers().stream().anyMatch(c -> targetHashes.contains(c.getSpecHash()));
      if (onTarget || progress.admittedAt.containsKey(id) || !runsSomething(host)) {
        Instant since = progress.admittedAt.computeIfAbsent(id, h -> now);
        if (since.plus(policy.healthyDeadline()).isBefore(now)) progress.failed.add(id);
        else updating.add(id);
        continue;
      }
      waiting.add(host);
    }
    if (progress.failed.isEmpty()) {
      int slots =
          policy.maxParallel() == 0
              ? Integer.MAX_VALUE
              : policy.maxParallel() - updating.size() - unknown;
      for (var it = waiting.iterator(); it.hasNext(); ) {
        RolloutHost host = it.next();
        if (slots > 0 || !canKeep.test(host)) {
          progress.admittedAt.put(host.hostId(), now);
          updating.add(host.hostId());
          it.remove();
          slots--;
        }
      }
    } else {
      waiting.removeIf(
          host -> {
            if (canKeep.test(host)) return false;
            // Cannot be kept as it is: it gets the version after all, and is watched like the
            // others.
            progress.admittedAt.put(host.hostId(), now);
            updating.add(host.hostId());
            return true;
          });
    }
    List<String> waitingIds = waiting.stream().map(RolloutHost::hostId).toList();
    List<String> failed = List.copyOf(progress.failed);
    String phase;
    String message;
    if (!failed.isEmpty()) {
      phase = RolloutStatus.FAILED;
      message =
          "version "
              + version
              + " was not healthy within "
              + seconds(policy)
              + " on "
              + String.join(", ", failed)
              + "; the rollout stopped"
              + (waitingIds.isEmpty()
                  ? ""
                  : " with " + waitingIds.size() + " host(s) kept on their version");
    } else if (updating.isEmpty() && waitingIds.isEmpty()) {
      phase = RolloutStatus.COMPLETE;
      message = "version " + version + " runs healthy on " + progress.done.size() + " host(s)";
    } else {
      phase = RolloutStatus.PROGRESSING;
      message =
          "rolling out version "
              + version
              + ": "
              + progress.done.size()
              + " updated, "
              + updating.size()
              + " updating, "
              + waitingIds.size()
              + " waiting"
              + (policy.maxParallel() == 0
                  ? ""
                  : " (at most " + policy.maxParallel() + " at once)");
    }
    return new RolloutStatus(
        version,
        phase,
        policy.maxParallel(),
        List.copyOf(progress.done),
        updating,
        waitingIds,
        failed,
        message);
  }

  /** Every desired instance runs with its new spec and passes its probe (or has none). */
  static boolean healthyOnTarget(RolloutHost host, List<ContainerSpec> desired) {
    if (desired.isEmpty()) return false;
    for (ContainerSpec spec : desired) {
      boolean ok =
          host.containers().stream()
              .anyMatch(
                  c ->
                      c.getInstance() == spec.getInstance()
                          && c.getSpecHash().equals(spec.getSpecHash())
                          && !c.getContainerId().isEmpty()
                          && (spec.getState() == ContainerSpec.RunState.STOPPED
                              || ("running".equals(c.getState())
                                  && (spec.hasHealth()
                                      ? c.getHealth() == ContainerStatus.Health.HEALTHY
                                      : c.getHealth() != ContainerStatus.Health.UNHEALTHY))));
      if (!ok) return false;
    }
    return true;
  }

  private static boolean runsSomething(RolloutHost host) {
    return host.containers().stream()
        .anyMatch(c -> !c.getContainerId().isEmpty() && "running".equals(c.getState()));
  }

  private static String seconds(UpdatePolicy policy) {
    long millis = policy.healthyDeadline().toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
