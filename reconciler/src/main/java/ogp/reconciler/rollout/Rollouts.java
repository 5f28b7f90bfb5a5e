package ogp.reconciler.rollout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.UpdatePolicy;
import ogp.reconciler.plan.FleetPlan;
import ogp.reconciler.plan.RolloutStatus;
import ogp.reconciler.source.RevisionFiles;
import org.eclipse.jgit.lib.Repository;

/**
 * The health-gated rollouts of every app whose {@code update} policy asks for one (a {@code
 * maxParallel}, or {@code autoRollback}): which hosts keep what they run for now, and the specs to
 * send them instead of the new ones. Each {@link #evaluate} runs {@link RolloutStep} for every such
 * app against the hosts' latest reports; {@link #adjust} then rewrites a host's planned containers.
 * A rollout failure is told to the listener once per app and target.
 *
 * <p>Threads: {@link #evaluate} and {@link #adjust} are called by the reconcile worker only; {@link
 * #status} may be called from any thread and sees the last evaluation.
 */
public final class Rollouts {
  private final KeptSpecs keptSpecs;
  private final Clock clock;
  private final Consumer<RolloutFailure> onFailure;
  private final Map<String, RolloutProgress> progress = new HashMap<>();

  /** Per app, the hosts kept on what they run and the specs to send them; reconcile worker only. */
  private Map<String, Map<String, List<ContainerSpec>>> kept = Map.of();

  private volatile Map<String, RolloutStatus> statuses = Map.of();

  /**
   * The hosts every gated app placed on them could be decided for at the last evaluation (connected
   * and reported); reconcile worker only. A host that reports after an evaluation is sent nothing
   * until the next one has decided it: in between it would get the new version of every gated app,
   * whatever the rollout says.
   */
  private Set<String> decided = Set.of();

  private DesiredState gatedOf;
  private List<App> gated = List.of();

  /** When this server started: hosts that have not reported since may be mid-update. */
  private final Instant startedAt;

  /** How long after the start agents may take to reconnect (the agent server's lost grace). */
  private final Duration reconnectGrace;

  /**
   * A rollout whose agents reconnect at once after a start (tests of the step alone).
   *
   * @param repository the Git mirror's repository, to rebuild the specs of what hosts run
   * @param path the desired-state directory of the repository
   */
  public Rollouts(
      Repository repository, String path, Clock clock, Consumer<RolloutFailure> onFailure) {
    this(repository, path, clock, Duration.ZERO, onFailure);
  }

  /**
   * @param repository the Git mirror's repository, to rebuild the specs of what hosts run
   * @param path the desired-state directory of the repository
   * @param reconnectGrace how long after this server's start an agent may still be on its way back
   *     (the lost grace: after a restart or a failover every agent has that long to reconnect); a
   *     host that has not reported holds its rollout slot for that long at least
   */
  public Rollouts(
      Repository repository,
      String path,
      Clock clock,
      Duration reconnectGrace,
      Consumer<RolloutFailure> onFailure) {
    this.keptSpecs = new KeptSpecs(new RevisionFiles(repository, path));
    this.clock = clock;
    this.onFailure = onFailure;
    this.startedAt = clock.instant();
    this.reconnectGrace = reconnectGrace;
  }

  /** Whether the app's policy asks for a gated rollout. */
  static boolean gated(App app) {
    UpdatePolicy p = app.update();
    return app.state() != AppState.ABSENT && (p.maxParallel() > 0 || p.autoRollback());
  }

  /**
   * Advances every gated app's rollout of the desired state at {@code revision} and returns the
   * hosts whose containers to send changed (to be reconciled again). {@code plan} is that state's
   * plan: its specs and hashes are built already, so a tick hashes nothing.
   */
  public Set<String> evaluate(
      DesiredState state,
      String revision,
      FleetPlan plan,
      Supplier<Collection<HostRecord>> allHosts) {
    if (state != gatedOf) {
      gated = state.apps().values().stream().filter(Rollouts::gated).toList();
      gatedOf = state;
    }
    // The common case, and every tick of it: no app asks for a gated rollout.
    if (gated.isEmpty() && kept.isEmpty() && progress.isEmpty()) {
      decided = Set.of();
      return Set.of();
    }
    Collection<HostRecord> hosts = allHosts.get();
    Instant now = clock.instant();
    Map<String, Map<String, List<ContainerSpec>>> nextKept = new HashMap<>();
    Map<String, RolloutStatus> nextStatuses = new HashMap<>();
    Set<String> names = new HashSet<>();
    Set<String> nextDecided = new HashSet<>();
    Set<String> undecided = new HashSet<>();
    for (App app : gated) {
      names.add(app.name());
      List<ContainerSpec> desired = plan.specsOf(app.name());
      List<String> target = desired.stream().map(ContainerSpec::getSpecHash).toList();
      RolloutProgress p = progress.get(app.name());
      if (p == null || !p.target().equals(target)) {
        p = new RolloutProgress(target);
        progress.put(app.name(), p);
      }
      // An earlier server run (or a leader before a failover) may have given the version to a
      // host that has not reported since: such a host counts as updating for one deadline after
      // the start, and at least as long as its agent may take to come back (the reconnect grace),
      // or a host still on its way back would lose its slot to one that reported first.
      boolean settling = !startedAt.plus(settleFor(app.update())).isBefore(now);
      List<RolloutHost> placed = new ArrayList<>();
      for (HostRecord h : hosts) {
        if (!app.placement().selects(h.hostId(), h.labels())) continue;
        List<ContainerStatus> of =
            h.lastReport().map(StatusReport::getContainersList).orElse(List.of()).stream()
                .filter(c -> c.getApp().equals(app.name()))
                .toList();
        // A host that has not reported since this server started is not known yet: decided once it
        // has.
        boolean known = h.connected() && h.lastReport().isPresent();
        placed.add(new RolloutHost(h.hostId(), known, of, settling && h.lastReport().isEmpty()));
        (known ? nextDecided : undecided).add(h.hostId());
      }
      if (settling && app.placement() instanceof Placement.Hosts listed) {
        // A listed host whose agent has not even connected since the start may be mid-update too.
        Set<String> present = new HashSet<>();
        placed.forEach(h -> present.add(h.hostId()));
        for (String id : listed.hostIds()) {
          if (!present.contains(id)) placed.add(new RolloutHost(id, false, List.of(), true));
        }
      }
      Map<String, List<ContainerSpec>> keptOfApp = new HashMap<>();
      RolloutStatus status =
          RolloutStep.advance(
              app.version(),
              app.update(),
              desired,
              placed,
              p,
              host ->
                  keepable(app, host)
                      .map(
                          specs -> {
                            keptOfApp.put(host.hostId(), specs);
                            return true;
                          })
                      .orElse(false),
              now);
      keptOfApp.keySet().retainAll(status.waiting());
      if (!keptOfApp.isEmpty()) nextKept.put(app.name(), keptOfApp);
      nextStatuses.put(app.name(), status);
      if (status.hasFailed() && !p.failureAnnounced) {
        p.failureAnnounced = true;
        onFailure.accept(
            new RolloutFailure(
                app.name(),
                app.version(),
                revision,
                status.failed(),
                status.message(),
                app.update().autoRollback()));
      }
    }
    progress.keySet().retainAll(names);
    Set<String> changed = changedHosts(kept, nextKept);
    nextDecided.removeAll(undecided); // a host is decided only when every gated app on it is
    for (String hostId : nextDecided) {
      if (!decided.contains(hostId))
        changed.add(hostId); // decided now: it may be sent its containers
    }
    decided = nextDecided;
    kept = nextKept;
    statuses = Map.copyOf(nextStatuses);
    return changed;
  }

  /** How long after the start a host that has not reported may be mid-update. */
  private Duration settleFor(UpdatePolicy policy) {
    Duration deadline = policy.healthyDeadline();
    return deadline.compareTo(reconnectGrace) >= 0 ? deadline : reconnectGrace;
  }

  /**
   * What the host runs of the app, as specs to send back unchanged; empty when any of it cannot be
   * rebuilt.
   */
  private Optional<List<ContainerSpec>> keepable(App app, RolloutHost host) {
    List<ContainerSpec> specs = new ArrayList<>();
    for (ContainerStatus c : host.containers()) {
      if (c.getContainerId().isEmpty()) continue;
      Optional<ContainerSpec> spec = keptSpecs.specOf(app, c);
      if (spec.isEmpty()) return Optional.empty();
      specs.add(spec.get());
    }
    specs.sort(java.util.Comparator.comparingInt(ContainerSpec::getInstance));
    return specs.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(specs));
  }

  private static Set<String> changedHosts(
      Map<String, Map<String, List<ContainerSpec>>> before,
      Map<String, Map<String, List<ContainerSpec>>> after) {
    Set<String> changed = new HashSet<>();
    Set<String> apps = new HashSet<>(before.keySet());
    apps.addAll(after.keySet());
    for (String app : apps) {
      Map<String, List<ContainerSpec>> b = before.getOrDefault(app, Map.of());
      Map<String, List<ContainerSpec>> a = after.getOrDefault(app, Map.of());
      Set<String> hosts = new HashSet<>(b.keySet());
      hosts.addAll(a.keySet());
      for (String host : hosts) {
        if (!java.util.Objects.equals(b.get(host), a.get(host))) changed.add(host);
      }
    }
    return changed;
  }

  /**
   * The host's planned containers (by app name, then instance) with every app whose rollout keeps
   * this host replaced by what the host runs of it.
   */
  public List<ContainerSpec> adjust(String hostId, List<ContainerSpec> planned) {
    if (kept.isEmpty()) return planned;
    List<ContainerSpec> result = new ArrayList<>(planned.size());
    String skipping = null;
    for (ContainerSpec spec : planned) {
      if (spec.getApp().equals(skipping)) continue;
      List<ContainerSpec> keep = kept.getOrDefault(spec.getApp(), Map.of()).get(hostId);
      if (keep == null) {
        result.add(spec);
      } else {
        result.addAll(keep);
        skipping = spec.getApp();
      }
    }
    return result;
  }

  /**
   * Whether the host must be sent nothing yet: a gated app is placed on it and the last evaluation
   * could not decide it (it had not reported since this server started, or it reported since). The
   * evaluation that decides it returns it among the hosts to reconcile.
   */
  public boolean holds(String hostId, Map<String, String> labels) {
    if (decided.contains(hostId)) return false;
    for (App app : gated) {
      if (app.placement().selects(hostId, labels)) return true;
    }
    return false;
  }

  /** The rollout status of a gated app as of the last evaluation. */
  public Optional<RolloutStatus> status(String app) {
    return Optional.ofNullable(statuses.get(app));
  }
}
