package ogp.portal;

import java.util.Comparator;
import java.util.List;
import ogp.portal.view.Ages;
import ogp.portal.view.Badge;
import ogp.reconciler.plan.HostStatus;

/**
 * The hosts: every agent, whether it is connected, when it last reported, its labels, agent and
 * Docker versions and the managed containers it runs. Lost hosts sort first: they need a look.
 */
public final class HostsPage {
  private final Ages ages;

  HostsPage(Ages ages) {
    this.ages = ages;
  }

  /** One host. */
  public record HostRow(
      String host,
      Badge status,
      List<String> labels,
      String heartbeat,
      String heartbeatExact,
      String agentVersion,
      String dockerVersion,
      String address,
      String revision,
      List<ContainerLine> containers,
      String lastError) {}

  /** A managed container on the host. */
  public record ContainerLine(
      String app, int instance, String version, Badge state, String health) {}

  List<HostRow> rows(List<HostStatus> hosts) {
    return hosts.stream()
        .sorted(
            Comparator.comparing((HostStatus h) -> "connected".equals(h.status()))
                .thenComparing(HostStatus::host))
        .map(this::row)
        .toList();
  }

  private HostRow row(HostStatus h) {
    List<String> labels =
        h.labels().entrySet().stream()
            .sorted(java.util.Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue())
            .toList();
    List<ContainerLine> containers =
        h.containers().stream()
            .sorted(
                Comparator.comparing(HostStatus.HostContainer::app)
                    .thenComparing(c -> c.container().instance()))
            .map(
                c ->
                    new ContainerLine(
                        c.app(),
                        c.container().instance(),
                        c.container().version(),
                        Badge.ofContainer(c.container().state()),
                        "none".equals(c.container().health())
                            ? ""
                            : c.container().health())) // "none": the app has no health check
            .toList();
    return new HostRow(
        h.host(),
        Badge.ofHost(h.status()),
        labels,
        ages.ago(h.lastHeartbeat()),
        Ages.exact(h.lastHeartbeat()),
        h.agentVersion(),
        h.dockerVersion(),
        h.address(),
        ogp.portal.view.CommitLine.shortSha(h.revision()),
        containers,
        AppPage.blankToNull(h.lastError()));
  }
}
