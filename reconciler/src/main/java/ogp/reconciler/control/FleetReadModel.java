package ogp.reconciler.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentLinks;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.ContainerView;
import ogp.reconciler.plan.FleetStatus;
import ogp.reconciler.plan.HostStatus;
import ogp.reconciler.plan.HostView;
import ogp.reconciler.rollout.Rollouts;

/**
 * The read side of the control loop, for the API, the portal and the watch: the status of every app
 * and host, computed on demand from the applied revision's plan, the agents' latest reports, what
 * each session was sent and the rollouts' last evaluation. Reads only; safe from any thread.
 */
public final class FleetReadModel {
  private final DesiredStateSource source;
  private final AgentLinks agents;
  private final PlanCache plans;
  private final SentAssignments sent;
  private final Rollouts rollouts;

  FleetReadModel(
      DesiredStateSource source,
      AgentLinks agents,
      PlanCache plans,
      SentAssignments sent,
      Rollouts rollouts) {
    this.source = source;
    this.agents = agents;
    this.plans = plans;
    this.sent = sent;
    this.rollouts = rollouts;
  }

  /** The desired-state source: the applied revision, an invalid one, the last fetch error. */
  public DesiredStateSource source() {
    return source;
  }

  public List<AppStatus> apps() {
    AppliedRevision applied = source.applied().orElse(null);
    if (applied == null) return List.of();
    return FleetStatus.compute(applied.state(), plans.planFor(applied), hostViews()).stream()
        .map(this::withRollout)
        .toList();
  }

  public Optional<AppStatus> app(String name) {
    AppliedRevision applied = source.applied().orElse(null);
    if (applied == null) return Optional.empty();
    return applied
        .state()
        .app(name)
        .map(
            a ->
                FleetStatus.compute(
                        new DesiredState(Map.of(name, a)), plans.planFor(applied), hostViews())
                    .get(0))
        .map(this::withRollout);
  }

  public List<HostStatus> hosts() {
    List<HostStatus> result = new ArrayList<>();
    java.util.Set<String> revoked = agents.revokedHosts();
    for (HostRecord h : agents.hosts()) {
      StatusReport report = h.lastReport().orElse(null);
      List<HostStatus.HostContainer> containers = new ArrayList<>();
      if (report != null) {
        for (ContainerStatus c : report.getContainersList()) {
          containers.add(new HostStatus.HostContainer(c.getApp(), ContainerView.of(c)));
        }
      }
      result.add(
          new HostStatus(
              h.hostId(),
              h.liveness().name().toLowerCase(Locale.ROOT),
              h.labels(),
              h.lastHeartbeat(),
              h.agentVersion(),
              h.dockerVersion(),
              h.remoteAddress(),
              report == null ? null : report.getRevision(),
              containers,
              report == null || report.getLastError().isEmpty() ? null : report.getLastError(),
              h.declaredLabels().equals(h.labels()) ? null : h.declaredLabels(),
              revoked.contains(h.hostId()),
              h.staleCommandsRefused(),
              h.highestEpoch()));
    }
    result.sort(Comparator.comparing(HostStatus::host));
    return result;
  }

  /**
   * Why the server is not ready to serve: a reason word safe to show anyone, and the detail (the
   * fetch's error may name hosts, paths and Git's own words) for authenticated callers only.
   *
   * @param reason {@code fetch-failing}, {@code no-valid-revision} or {@code first-fetch-pending}
   */
  public record NotReady(String reason, String detail) {}

  /** Empty when ready to serve (a valid revision is applied); otherwise why not. */
  public Optional<NotReady> notReady() {
    if (source.applied().isPresent()) return Optional.empty();
    Optional<String> fetchError = source.lastFetchError();
    if (fetchError.isPresent())
      return Optional.of(
          new NotReady("fetch-failing", "cannot read the desired state: " + fetchError.get()));
    return Optional.of(
        source.invalid().isPresent()
            ? new NotReady("no-valid-revision", "the repository has no valid revision yet")
            : new NotReady("first-fetch-pending", "the first fetch has not finished"));
  }

  private AppStatus withRollout(AppStatus status) {
    return rollouts.status(status.app()).map(status::withRollout).orElse(status);
  }

  private List<HostView> hostViews() {
    List<HostView> views = new ArrayList<>();
    for (HostRecord h : agents.hosts()) {
      views.add(
          new HostView(
              h.hostId(),
              h.labels(),
              h.connected(),
              h.lastReport().orElse(null),
              sent.generationOf(h.hostId())));
    }
    return views;
  }
}
