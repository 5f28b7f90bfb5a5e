package ogp.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import ogp.portal.auth.PortalUser;
import ogp.portal.changes.HistoryCache;
import ogp.portal.view.Ages;
import ogp.portal.view.AppSummary;
import ogp.portal.view.Badge;
import ogp.portal.view.CommitLine;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.changes.HistoryEntry;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.plan.AppHostStatus;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.ContainerView;
import ogp.reconciler.plan.HostStatus;

/**
 * One app: its state on every host with containers and the actions still planned, its history from
 * Git with a Roll back button per commit, and the forms of the changes the user's role allows (the
 * forms are not rendered at all for a role that may not use them).
 */
public final class AppPage {
  private final HistoryCache history;
  private final Ages ages;

  AppPage(HistoryCache history, Ages ages) {
    this.history = history;
    this.ages = ages;
  }

  /**
   * The page's model.
   *
   * @param canDeploy whether the user may deploy, take offline/online and roll back
   * @param canPlace whether the user may change the hosts (and the app places by host list)
   * @param placeNote why placement cannot be changed here, or null
   */
  public record Detail(
      AppSummary app,
      List<HostPanel> hosts,
      List<HistoryRow> history,
      boolean canDeploy,
      boolean canPlace,
      String placeNote,
      List<HostChoice> hostChoices) {}

  /** The app on one host. */
  public record HostPanel(
      String host,
      boolean connected,
      Badge sync,
      Badge health,
      String desiredVersion,
      int desiredInstances,
      List<ContainerRow> containers,
      List<String> plannedActions,
      String lastError) {}

  /** One container. */
  public record ContainerRow(
      int instance,
      String version,
      String shortId,
      Badge state,
      String health,
      int exitCode,
      int restarts,
      String lastError) {}

  /**
   * One commit of the app's history.
   *
   * @param change "41 → 42", "created", "removed" or "" when the version did not change
   * @param current whether it is the newest commit of the app
   */
  public record HistoryRow(CommitLine commit, String change, boolean current) {}

  /** A host in the placement form. */
  public record HostChoice(String host, boolean selected, boolean connected) {}

  Optional<Detail> detail(
      String name,
      Optional<AppStatus> status,
      Optional<App> desired,
      List<HostStatus> hosts,
      PortalUser user) {
    if (status.isEmpty()) return Optional.empty();
    AppStatus a = status.get();
    List<HostPanel> panels = a.hosts().stream().map(AppPage::panel).toList();
    List<HistoryEntry> entries = history.history(name);
    List<HistoryRow> rows = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      HistoryEntry e = entries.get(i);
      rows.add(new HistoryRow(CommitLine.of(e, ages), change(e), i == 0));
    }
    Placement placement = desired.map(App::placement).orElse(null);
    List<String> placedOn = placement instanceof Placement.Hosts h ? h.hostIds() : List.of();
    TreeSet<String> known = new TreeSet<>(placedOn);
    hosts.forEach(h -> known.add(h.host()));
    List<HostChoice> choices =
        known.stream()
            .map(
                h ->
                    new HostChoice(
                        h,
                        placedOn.contains(h),
                        hosts.stream()
                            .anyMatch(x -> x.host().equals(h) && "connected".equals(x.status()))))
            .toList();
    String placeNote =
        placement instanceof Placement.Selector
            ? "This app is placed by label selector ("
                + a.placement()
                + "); change the selector in Git."
            : null;
    return Optional.of(
        new Detail(
            AppSummary.of(a),
            panels,
            rows,
            user.may(Permission.DEPLOY)
                && user.may(Permission.SET_STATE)
                && user.may(Permission.ROLLBACK),
            user.may(Permission.PLACE) && placeNote == null,
            placeNote,
            choices));
  }

  private static HostPanel panel(AppHostStatus h) {
    List<ContainerRow> containers = h.containers().stream().map(AppPage::container).toList();
    return new HostPanel(
        h.host(),
        h.connected(),
        Badge.of(h.sync()),
        Badge.of(h.health()),
        h.desiredVersion(),
        h.desiredInstances(),
        containers,
        h.plannedActions(),
        blankToNull(h.lastError()));
  }

  private static ContainerRow container(ContainerView c) {
    String id =
        c.containerId() == null
            ? ""
            : c.containerId().length() > 12 ? c.containerId().substring(0, 12) : c.containerId();
    String health = "none".equals(c.health()) ? "no check" : c.health();
    return new ContainerRow(
        c.instance(),
        c.version(),
        id,
        Badge.ofContainer(c.state()),
        health,
        c.exitCode(),
        c.restartCount(),
        blankToNull(c.lastError()));
  }

  private static String change(HistoryEntry e) {
    String before = e.versionBefore().orElse(null);
    String after = e.versionAfter().orElse(null);
    if (before == null && after != null) return "created at " + after;
    if (after == null && before != null) return "removed";
    if (before != null && !before.equals(after)) return before + " → " + after;
    return "";
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
