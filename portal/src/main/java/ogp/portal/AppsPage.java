package ogp.portal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import ogp.portal.changes.HistoryCache;
import ogp.portal.view.Ages;
import ogp.portal.view.AppSummary;
import ogp.portal.view.Badge;
import ogp.portal.view.CommitLine;
import ogp.reconciler.changes.HistoryEntry;
import ogp.reconciler.plan.AppHostStatus;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.ContainerView;
import ogp.reconciler.plan.HostStatus;

/**
 * The apps overview: one row per app, one column per host, so the whole fleet fits one screen. A
 * cell shows the version running there, coloured by that host's sync and health; the row shows the
 * app's combined badges, its last change from Git and the first error of any host.
 */
public final class AppsPage {
  private final HistoryCache history;
  private final Ages ages;

  AppsPage(HistoryCache history, Ages ages) {
    this.history = history;
    this.ages = ages;
  }

  /** The grid of every app by every host. */
  public record Grid(List<String> hosts, List<Row> rows) {}

  /** One app. */
  public record Row(AppSummary app, List<Cell> cells, CommitLine lastChange, String lastError) {}

  /**
   * One app on one host.
   *
   * @param placed whether the app should run there or still has containers there
   * @param running the versions of its containers there, or an empty string
   * @param drift whether what runs differs from the desired version
   */
  public record Cell(
      boolean placed,
      boolean connected,
      String running,
      boolean drift,
      Badge sync,
      Badge health,
      String title) {}

  Grid grid(List<AppStatus> apps, List<HostStatus> hosts) {
    TreeSet<String> hostIds = new TreeSet<>();
    hosts.forEach(h -> hostIds.add(h.host()));
    apps.forEach(a -> a.hosts().forEach(h -> hostIds.add(h.host())));
    List<String> columns = List.copyOf(hostIds);
    List<Row> rows =
        apps.stream()
            .sorted(Comparator.comparing(AppStatus::app))
            .map(a -> row(a, columns))
            .toList();
    return new Grid(columns, rows);
  }

  private Row row(AppStatus a, List<String> columns) {
    Map<String, AppHostStatus> byHost =
        a.hosts().stream().collect(Collectors.toMap(AppHostStatus::host, h -> h, (x, y) -> x));
    List<Cell> cells = columns.stream().map(host -> cell(byHost.get(host))).toList();
    String lastError =
        a.hosts().stream()
            .map(
                h ->
                    h.lastError() == null || h.lastError().isBlank()
                        ? null
                        : h.host() + ": " + h.lastError())
            .filter(e -> e != null)
            .findFirst()
            .orElse(null);
    Optional<HistoryEntry> last = history.last(a.app());
    CommitLine change = last.map(e -> CommitLine.of(e, ages)).orElse(null);
    return new Row(AppSummary.of(a), cells, change, lastError);
  }

  static Cell cell(AppHostStatus h) {
    if (h == null) return new Cell(false, true, "", false, null, null, "not placed here");
    String running =
        h.containers().stream()
            .map(ContainerView::version)
            .distinct()
            .sorted()
            .collect(Collectors.joining(", "));
    boolean drift =
        h.containers().stream().anyMatch(c -> !c.version().equals(h.desiredVersion()))
            || h.containers().size() != h.desiredInstances();
    String title =
        h.host()
            + ": "
            + h.sync()
            + ", "
            + h.health()
            + "; desired "
            + h.desiredVersion()
            + " ×"
            + h.desiredInstances()
            + (h.connected() ? "" : " (agent not connected: last report)");
    return new Cell(
        true, h.connected(), running, drift, Badge.of(h.sync()), Badge.of(h.health()), title);
  }
}
