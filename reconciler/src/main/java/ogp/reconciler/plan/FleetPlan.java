package ogp.reconciler.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ogp.protocol.v1.ContainerSpec;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;

/**
 * The assignments of one desired state at one revision, for any number of hosts: every container
 * a host must run (apps that are absent or not placed there contribute none), by app name then
 * instance. The per-app work is done once instead of once per host: every container spec (and its
 * SHA-256 spec hash) is built when the plan is made,
 * and apps placed by host list are indexed by host id, so one host costs a map lookup plus the
 * label selectors, not a scan of every app.
 *
 * <p>Immutable and thread-safe once built; build one per applied revision and share it.
 */
public final class FleetPlan {
  private final Map<String, List<Integer>> listedApps = new HashMap<>(); // host id -> ordinals
  private final List<Integer> selectorApps = new ArrayList<>();
  private final List<Placement> placements = new ArrayList<>();
  private final List<List<ContainerSpec>> specs = new ArrayList<>(); // by ordinal = app-name order

  public FleetPlan(DesiredState state, String revision) {
    for (App app : state.apps().values()) { // sorted by name: ordinals give the app-name order
      if (app.state() == AppState.ABSENT) continue;
      int ordinal = specs.size();
      List<ContainerSpec> appSpecs = new ArrayList<>(app.instances());
      for (int i = 0; i < app.instances(); i++) appSpecs.add(AssignmentBuilder.spec(app, i, revision));
      specs.add(List.copyOf(appSpecs));
      placements.add(app.placement());
      if (app.placement() instanceof Placement.Hosts hosts) {
        for (String hostId : hosts.hostIds()) {
          List<Integer> apps = listedApps.computeIfAbsent(hostId, id -> new ArrayList<>(4));
          if (apps.isEmpty() || apps.get(apps.size() - 1) != ordinal) apps.add(ordinal); // a host listed twice
        }
      } else {
        selectorApps.add(ordinal);
      }
    }
  }

  /** Every container the host must run, by app name then instance. */
  public List<ContainerSpec> containersFor(String hostId, Map<String, String> labels) {
    List<Integer> listed = listedApps.getOrDefault(hostId, List.of());
    List<ContainerSpec> result = new ArrayList<>();
    int l = 0;
    int s = 0;
    // Merge the two ordinal-sorted lists so the order is the app-name order.
    while (l < listed.size() || s < selectorApps.size()) {
      int next;
      if (s >= selectorApps.size() || (l < listed.size() && listed.get(l) < selectorApps.get(s))) {
        next = listed.get(l++);
      } else {
        next = selectorApps.get(s++);
        if (!placements.get(next).selects(hostId, labels)) continue;
      }
      result.addAll(specs.get(next));
    }
    return result;
  }
}
