package ogp.reconciler.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import ogp.protocol.v1.ContainerSpec;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;

/**
 * The assignments of one desired state for any number of hosts: every container a host must run
 * (apps that are absent or not placed there contribute none), by app name then instance.
 *
 * <p>The per-app work is done once instead of once per host: every container spec (and its SHA-256
 * spec hash) is built when the plan is made, and apps placed by host list are indexed by host id,
 * so one host costs a map lookup plus the label selectors, not a scan of every app. A spec carries
 * the revision that last changed its app, so {@link #next} can derive the plan of a new revision
 * from this one: an app whose configuration and revision are unchanged keeps its built specs (the
 * same objects) and only the hosts of changed apps are re-indexed.
 *
 * <p>Immutable and thread-safe once built; keep the plan of the applied revision and share it.
 */
public final class FleetPlan {
  private static final AppPlan[] NONE = new AppPlan[0];
  private static final Listed NOT_LISTED = new Listed(NONE, 0).seal();

  /** From this many apps to build, their specs are built on all cores. */
  private static final int PARALLEL_BUILD_FROM = 512;

  /** The plan of nothing: every host gets no container. Where a chain of {@link #next} starts. */
  public static final FleetPlan EMPTY = new FleetPlan(Map.of(), Map.of(), NONE);

  /**
   * One app's part of the plan: its specs (null until built), stamped with the revision that last
   * changed it.
   */
  private record AppPlan(App app, String revision, List<ContainerSpec> specs) {}

  /**
   * The apps placed on one host by host list, by name, and their specs in that order: a host no
   * label selector adds to gets this list itself, without a copy. Filled by {@link #add} while a
   * plan is indexed, then {@link #seal sealed}; never changed once the plan is published.
   */
  private static final class Listed {
    private AppPlan[] apps;
    private int size;
    private List<ContainerSpec> specs;

    private Listed(AppPlan[] apps, int size) {
      this.apps = apps;
      this.size = size;
    }

    static Listed of(List<AppPlan> apps) {
      return new Listed(apps.toArray(NONE), apps.size()).seal();
    }

    /** An empty entry to {@link #add} to. */
    static Listed empty() {
      return new Listed(new AppPlan[4], 0);
    }

    /** Appends an app (in name order); an app listing the host twice is added once. */
    void add(AppPlan p) {
      if (size > 0 && apps[size - 1] == p) return;
      if (size == apps.length) apps = Arrays.copyOf(apps, Math.max(4, size * 2));
      apps[size++] = p;
    }

    Listed seal() {
      if (size != apps.length) apps = Arrays.copyOf(apps, size);
      int n = 0;
      for (AppPlan p : apps) n += p.specs().size();
      ContainerSpec[] all = new ContainerSpec[n];
      int at = 0;
      for (AppPlan p : apps) {
        for (ContainerSpec spec : p.specs()) all[at++] = spec;
      }
      specs = Collections.unmodifiableList(Arrays.asList(all));
      return this;
    }

    AppPlan[] apps() {
      return apps;
    }

    List<ContainerSpec> specs() {
      return specs;
    }
  }

  private final Map<String, AppPlan> apps; // by name; absent apps are not planned
  private final Map<String, Listed> listed; // host id -> apps placed there by host list
  private final AppPlan[] selected; // apps placed by label selector, by name

  private FleetPlan(Map<String, AppPlan> apps, Map<String, Listed> listed, AppPlan[] selected) {
    this.apps = apps;
    this.listed = listed;
    this.selected = selected;
  }

  /** The plan of {@code state} with every app stamped with {@code revision}, built from scratch. */
  public FleetPlan(DesiredState state, String revision) {
    FleetPlan built = EMPTY.next(state, app -> revision);
    this.apps = built.apps;
    this.listed = built.listed;
    this.selected = built.selected;
  }

  /**
   * The plan of {@code state}, reusing this plan's specs of every app whose configuration (all but
   * its source position) and revision are unchanged.
   *
   * @param revisionOf the revision that last changed the named app
   */
  public FleetPlan next(DesiredState state, Function<String, String> revisionOf) {
    Map<String, AppPlan> nextApps = new HashMap<>(Math.max(16, state.apps().size() * 4 / 3 + 1));
    List<String> changed = new ArrayList<>(); // names whose AppPlan is new or gone, each once
    List<AppPlan> byName =
        new ArrayList<>(state.apps().size()); // the next plan's apps, in name order
    int kept = 0; // names of this plan that the next one has too
    for (App app : state.apps().values()) { // sorted by name
      if (app.state() == AppState.ABSENT) continue;
      String revision = revisionOf.apply(app.name());
      AppPlan before = apps.get(app.name());
      if (before != null) kept++;
      AppPlan next;
      if (before != null
          && before.revision().equals(revision)
          && before.app().sameConfigurationAs(app)) {
        next = before;
      } else {
        next = new AppPlan(app, revision, null); // built below
        changed.add(app.name());
      }
      nextApps.put(app.name(), next);
      byName.add(next);
    }
    if (changed.size() >= PARALLEL_BUILD_FROM) {
      // Building a spec hashes it: a first plan of thousands of apps is worth all cores.
      byName =
          byName.parallelStream()
              .map(p -> p.specs() == null ? build(p.app(), p.revision()) : p)
              .toList();
      for (AppPlan p : byName) nextApps.put(p.app().name(), p);
    } else if (!changed.isEmpty()) { // a commit's few apps are not worth a fork
      for (int i = 0; i < byName.size(); i++) {
        AppPlan p = byName.get(i);
        if (p.specs() != null) continue;
        AppPlan built = build(p.app(), p.revision());
        byName.set(i, built);
        nextApps.put(p.app().name(), built);
      }
    }
    if (kept < apps.size()) { // some apps are gone
      for (String name : apps.keySet()) {
        if (!nextApps.containsKey(name)) changed.add(name);
      }
    }
    if (changed.isEmpty()) return this;

    boolean selectorsChanged = false;
    Map<String, Listed> nextListed;
    if (changed.size() > nextApps.size() / 4) {
      // Most hosts change (a first plan): index every host once instead of host by host.
      nextListed = indexAll(byName);
      selectorsChanged = true;
    } else {
      nextListed = new HashMap<>(listed);
      for (String name : changed) {
        AppPlan before = apps.get(name);
        AppPlan after = nextApps.get(name);
        for (AppPlan p : new AppPlan[] {before, after}) {
          if (p == null) continue;
          if (p.app().placement() instanceof Placement.Hosts hosts) {
            for (String hostId : hosts.hostIds()) reindex(nextListed, hostId, name, after);
          } else {
            selectorsChanged = true;
          }
        }
      }
    }
    AppPlan[] nextSelected = selected;
    if (selectorsChanged) {
      List<AppPlan> bySelector = new ArrayList<>();
      for (AppPlan p : byName) {
        if (p.app().placement() instanceof Placement.Selector) bySelector.add(p);
      }
      nextSelected = bySelector.toArray(NONE);
    }
    return new FleetPlan(nextApps, nextListed, nextSelected);
  }

  /**
   * Every container the host must run, by app name then instance. Unmodifiable; a host that no
   * label selector adds to gets the same list object for as long as its apps are unchanged.
   */
  public List<ContainerSpec> containersFor(String hostId, Map<String, String> labels) {
    Listed byHost = listed.getOrDefault(hostId, NOT_LISTED);
    if (selected.length == 0) return byHost.specs();
    AppPlan[] byList = byHost.apps();
    List<ContainerSpec> result = new ArrayList<>(byHost.specs().size() + selected.length);
    int l = 0;
    int s = 0;
    // Merge the two name-sorted arrays so the order is the app-name order.
    while (l < byList.length || s < selected.length) {
      AppPlan next;
      if (s >= selected.length
          || (l < byList.length
              && byList[l].app().name().compareTo(selected[s].app().name()) < 0)) {
        next = byList[l++];
      } else {
        next = selected[s++];
        if (!next.app().placement().selects(hostId, labels)) continue;
      }
      result.addAll(next.specs());
    }
    return Collections.unmodifiableList(result);
  }

  /**
   * The specs of one instance set of an app (one per instance, as on every host it is placed on);
   * empty when the app is absent or unknown.
   */
  public List<ContainerSpec> specsOf(String app) {
    AppPlan p = apps.get(app);
    return p == null ? List.of() : p.specs();
  }

  private static AppPlan build(App app, String revision) {
    List<ContainerSpec> specs = new ArrayList<>(app.instances());
    for (int i = 0; i < app.instances(); i++) specs.add(AssignmentBuilder.spec(app, i, revision));
    return new AppPlan(app, revision, List.copyOf(specs));
  }

  /** The host index of every app placed by host list, built in one pass over the apps by name. */
  private static Map<String, Listed> indexAll(List<AppPlan> byName) {
    // One map, filled in place: a map of lists copied into a second map was most of a plan from
    // scratch.
    Map<String, Listed> index =
        new HashMap<>(Math.max(16, byName.size() * 4 / 3)); // hosts are often about as many as apps
    for (AppPlan p : byName) { // every host's list is in name order too
      if (!(p.app().placement() instanceof Placement.Hosts hosts)) continue;
      for (String hostId : hosts.hostIds()) {
        Listed onHost = index.get(hostId);
        if (onHost == null) index.put(hostId, onHost = Listed.empty());
        onHost.add(p);
      }
    }
    for (Listed onHost : index.values()) onHost.seal();
    return index;
  }

  /** Replaces the app {@code name} in one host's entry by {@code plan}, or removes it. */
  private static void reindex(
      Map<String, Listed> listed, String hostId, String name, AppPlan plan) {
    AppPlan[] current = listed.getOrDefault(hostId, NOT_LISTED).apps();
    boolean place =
        plan != null
            && plan.app().placement() instanceof Placement.Hosts hosts
            && hosts.hostIds().contains(hostId);
    List<AppPlan> next = new ArrayList<>(current.length + 1);
    for (AppPlan p : current) {
      if (!p.app().name().equals(name)) next.add(p);
    }
    if (place) {
      int at = 0;
      while (at < next.size() && next.get(at).app().name().compareTo(name) < 0) at++;
      next.add(at, plan);
    }
    if (next.isEmpty()) listed.remove(hostId);
    else listed.put(hostId, Listed.of(next));
  }

  @Override
  public String toString() {
    return "FleetPlan["
        + apps.size()
        + " app(s), "
        + listed.size()
        + " listed host(s), "
        + Arrays.stream(selected).map(p -> p.app().name()).toList()
        + " by selector]";
  }
}
