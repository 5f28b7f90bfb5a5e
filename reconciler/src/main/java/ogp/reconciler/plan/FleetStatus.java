package ogp.reconciler.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;

/**
 * Compares the desired state with what agents report and says, per app and host, whether it is in
 * sync, how healthy it is and what converging will still do. Pure: it reads its inputs only, so it
 * is computed on demand and tested with tables.
 *
 * <p>Policy: a host that is not connected is {@code Unknown} for sync and health, and its last
 * report is shown as it was (stale), never read as "nothing runs there". A host that has an
 * assignment newer than its last report is {@code Progressing}, not out of sync.
 */
public final class FleetStatus {
  private FleetStatus() {}

  /**
   * Status of every app of the desired state, sorted by app name, every app at {@code revision}.
   */
  public static List<AppStatus> compute(
      DesiredState state, String revision, Collection<HostView> hosts) {
    return compute(state, new FleetPlan(state, revision), hosts);
  }

  /**
   * Status of every app of the desired state, sorted by app name, against the specs of {@code plan}
   * (the plan of that state): its specs and hashes are built already, so none is hashed again here.
   */
  public static List<AppStatus> compute(
      DesiredState state, FleetPlan plan, Collection<HostView> hosts) {
    Map<String, HostView> byId = new TreeMap<>();
    hosts.forEach(h -> byId.put(h.hostId(), h));
    // One pass over every report instead of one per app: which hosts report containers of which
    // app.
    Map<String, Set<String>> reporting = new HashMap<>();
    for (HostView h : byId.values()) {
      if (h.lastReport() == null) continue;
      for (ContainerStatus c : h.lastReport().getContainersList()) {
        reporting.computeIfAbsent(c.getApp(), a -> new HashSet<>()).add(h.hostId());
      }
    }
    List<AppStatus> result = new ArrayList<>();
    for (App app : state.apps().values()) {
      result.add(
          appStatus(
              app, plan.specsOf(app.name()), byId, reporting.getOrDefault(app.name(), Set.of())));
    }
    return result;
  }

  static AppStatus appStatus(
      App app, List<ContainerSpec> specs, Map<String, HostView> hosts, Set<String> reportingHosts) {
    List<AppHostStatus> perHost = new ArrayList<>();
    SyncStatus sync = SyncStatus.Synced;
    HealthStatus health = HealthStatus.Healthy;
    Set<String> involved = involvedHosts(app, hosts, reportingHosts);
    for (String hostId : involved) {
      AppHostStatus s = hostStatus(app, specs, hostId, hosts.get(hostId));
      perHost.add(s);
      sync = SyncStatus.combine(sync, s.sync());
      health = HealthStatus.worst(health, s.health());
    }
    if (app.state() != AppState.ABSENT
        && perHost.stream().allMatch(h -> h.desiredInstances() == 0)) {
      // Desired to run but placed nowhere (e.g. a selector no host matches).
      health = HealthStatus.worst(health, HealthStatus.Missing);
    }
    return new AppStatus(
        app.name(),
        app.image(),
        app.version(),
        app.state().yaml(),
        describe(app.placement()),
        sync,
        health,
        perHost);
  }

  /**
   * Hosts the app is placed on, plus hosts that still report containers of it, sorted. Only a label
   * selector needs every host looked at; a host list names its hosts.
   */
  private static Set<String> involvedHosts(
      App app, Map<String, HostView> hosts, Set<String> reportingHosts) {
    Set<String> ids = new TreeSet<>(reportingHosts);
    if (app.placement() instanceof Placement.Hosts list) {
      ids.addAll(list.hostIds());
    } else {
      for (HostView h : hosts.values()) {
        if (app.placement().selects(h.hostId(), h.labels())) ids.add(h.hostId());
      }
    }
    return ids;
  }

  static AppHostStatus hostStatus(
      App app, List<ContainerSpec> specs, String hostId, HostView host) {
    Map<String, String> labels = host == null ? Map.of() : host.labels();
    List<ContainerSpec> desired = app.placement().selects(hostId, labels) ? specs : List.of();
    List<ContainerStatus> observed =
        host == null || host.lastReport() == null
            ? List.of()
            : host.lastReport().getContainersList().stream()
                .filter(c -> c.getApp().equals(app.name()))
                .toList();
    List<ContainerView> views = observed.stream().map(ContainerView::of).toList();
    String lastError =
        observed.stream()
            .map(ContainerStatus::getLastError)
            .filter(e -> !e.isEmpty())
            .findFirst()
            .orElse(
                host != null && host.lastReport() != null ? host.lastReport().getLastError() : "");

    if (host == null || !host.connected() || host.lastReport() == null) {
      List<String> waiting =
          desired.isEmpty() ? List.of() : List.of("waiting for host " + hostId + " to connect");
      return new AppHostStatus(
          hostId,
          false,
          SyncStatus.Unknown,
          HealthStatus.Unknown,
          app.version(),
          desired.size(),
          views,
          waiting,
          lastError);
    }

    List<String> actions = plannedActions(app.name(), desired, observed);
    boolean converging = host.sentGeneration() > host.lastReport().getGeneration();
    SyncStatus sync =
        actions.isEmpty()
            ? SyncStatus.Synced
            : converging ? SyncStatus.Progressing : SyncStatus.OutOfSync;
    HealthStatus health = health(desired, observed, converging);
    return new AppHostStatus(
        hostId, true, sync, health, app.version(), desired.size(), views, actions, lastError);
  }

  /** What the agent must still do for this app on this host, in words. */
  static List<String> plannedActions(
      String app, List<ContainerSpec> desired, List<ContainerStatus> observed) {
    List<String> actions = new ArrayList<>();
    Set<Integer> wanted = new LinkedHashSet<>();
    for (ContainerSpec spec : desired) {
      wanted.add(spec.getInstance());
      String name = app + "#" + spec.getInstance();
      ContainerStatus seen = find(observed, spec.getInstance());
      if (seen == null || seen.getContainerId().isEmpty()) {
        actions.add("create " + name + " at " + spec.getVersion());
      } else if (!seen.getSpecHash().equals(spec.getSpecHash())) {
        actions.add(
            seen.getVersion().equals(spec.getVersion())
                ? "reconfigure " + name + " at " + spec.getVersion()
                : "replace " + name + " " + seen.getVersion() + " -> " + spec.getVersion());
      } else if (spec.getState() == ContainerSpec.RunState.RUNNING && !isRunning(seen)) {
        actions.add("start " + name);
      } else if (spec.getState() == ContainerSpec.RunState.STOPPED && isRunning(seen)) {
        actions.add("stop " + name);
      }
    }
    for (ContainerStatus c : observed) {
      if (!wanted.contains(c.getInstance()) && !c.getContainerId().isEmpty()) {
        actions.add("remove " + app + "#" + c.getInstance());
      }
    }
    return actions;
  }

  static HealthStatus health(
      List<ContainerSpec> desired, List<ContainerStatus> observed, boolean converging) {
    HealthStatus health = HealthStatus.Healthy;
    for (ContainerSpec spec : desired) {
      health =
          HealthStatus.worst(
              health, containerHealth(spec, find(observed, spec.getInstance()), converging));
    }
    if (desired.isEmpty() && observed.stream().anyMatch(c -> !c.getContainerId().isEmpty())) {
      health = HealthStatus.worst(health, HealthStatus.Progressing); // leftovers being removed
    }
    return health;
  }

  private static HealthStatus containerHealth(
      ContainerSpec spec, ContainerStatus seen, boolean converging) {
    if (seen == null || seen.getContainerId().isEmpty()) {
      if (seen != null && !seen.getLastError().isEmpty()) return HealthStatus.Degraded;
      return converging ? HealthStatus.Progressing : HealthStatus.Missing;
    }
    if (!seen.getLastError().isEmpty() && !seen.getSpecHash().equals(spec.getSpecHash())) {
      return HealthStatus.Degraded; // e.g. the new version could not be pulled
    }
    if (spec.getState() == ContainerSpec.RunState.STOPPED) {
      return isRunning(seen) && !converging ? HealthStatus.Degraded : HealthStatus.Healthy;
    }
    if (!isRunning(seen)) {
      return converging || "created".equals(seen.getState()) || "restarting".equals(seen.getState())
          ? HealthStatus.Progressing
          : HealthStatus.Degraded;
    }
    HealthStatus probe =
        switch (seen.getHealth()) {
          case UNHEALTHY -> HealthStatus.Degraded;
          case STARTING -> HealthStatus.Progressing;
          default -> HealthStatus.Healthy;
        };
    if (!seen.getSpecHash().equals(spec.getSpecHash())) {
      return HealthStatus.worst(probe, HealthStatus.Progressing);
    }
    return probe;
  }

  private static boolean isRunning(ContainerStatus c) {
    return "running".equals(c.getState());
  }

  private static ContainerStatus find(List<ContainerStatus> observed, int instance) {
    for (ContainerStatus c : observed) {
      if (c.getInstance() == instance && !c.getContainerId().isEmpty()) return c;
    }
    for (ContainerStatus c : observed) {
      if (c.getInstance() == instance) return c;
    }
    return null;
  }

  static String describe(Placement placement) {
    if (placement instanceof Placement.Hosts h) return "hosts: " + String.join(", ", h.hostIds());
    Placement.Selector s = (Placement.Selector) placement;
    return "selector: "
        + new TreeMap<>(s.matchLabels())
            .entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
  }
}
