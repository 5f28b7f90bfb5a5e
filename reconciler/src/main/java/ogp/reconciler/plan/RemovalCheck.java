package ogp.reconciler.plan;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.Policy;

/**
 * Whether a new revision would remove so many of the fleet's containers that it must wait for an
 * admin's confirmation (issue 16, item 10): a pure function of the applied desired state, the new
 * one (whose own {@link Policy#massRemoval()} counts, since it is reviewed like any file) and the
 * labels of the known hosts (for apps placed by selector).
 *
 * <p>What counts: for every app and host, the containers the applied state places there (its {@code
 * instances}, unless the app is {@code absent}) minus those the new state places there, when fewer:
 * an app deleted or renamed, a host taken out of its placement, {@code state: absent}, fewer
 * instances. A new version or {@code state: stopped} replaces or stops containers and removes none.
 * {@link #of()} is every container the applied state places.
 *
 * <p>Held when the threshold is not {@code off}, more than the threshold's share of them would go
 * ({@code removes > threshold × of}, strictly) and at least {@value #MIN_HELD} would go: removing a
 * single container is never a mass removal — it is what a one-app setup does on purpose — while the
 * accident this guards against (a renamed directory, a bad merge) empties many.
 *
 * @param removes the containers the new revision would remove
 * @param of every container the applied revision places
 * @param threshold the new revision's threshold
 */
public record RemovalCheck(long removes, long of, Policy.MassRemoval threshold) {
  /** The fewest removed containers that can hold a revision. */
  public static final int MIN_HELD = 2;

  public RemovalCheck {
    Objects.requireNonNull(threshold, "threshold");
  }

  /**
   * Compares two desired states.
   *
   * @param hostLabels every known host by id with its labels; hosts named in a {@code hosts} list
   *     count whether known or not
   */
  public static RemovalCheck of(
      DesiredState applied, DesiredState next, Map<String, Map<String, String>> hostLabels) {
    // Each distinct selector is matched against the hosts once: fleets reuse a few selectors.
    Map<Placement, Set<String>> hostsOf = new HashMap<>();
    long of = 0;
    long removes = 0;
    for (App before : applied.apps().values()) {
      if (before.state() == AppState.ABSENT) continue;
      Set<String> hosts = hostsOf.computeIfAbsent(before.placement(), p -> hosts(p, hostLabels));
      of += (long) before.instances() * hosts.size();
      App after = next.apps().get(before.name());
      if (after != null
          && after.state() != AppState.ABSENT
          && after.placement().equals(before.placement())
          && after.instances() >= before.instances()) {
        continue; // every container it placed stays
      }
      for (String host : hosts) {
        int kept = placedOn(after, host, hostLabels);
        if (kept < before.instances()) removes += before.instances() - kept;
      }
    }
    return new RemovalCheck(removes, of, next.policy().massRemoval());
  }

  /** Whether the revision waits for an admin's confirmation. */
  public boolean held() {
    if (threshold.off() || removes < MIN_HELD) return false;
    // Exact in integers: removes / of > percent / 100.
    return removes * 100 > threshold.thresholdPercent().getAsInt() * of;
  }

  /** In words, e.g. {@code would remove 1,240 of 1,300 containers (threshold 50%)}. */
  public String reason() {
    return String.format(
        Locale.ROOT, "would remove %,d of %,d containers (threshold %s)", removes, of, threshold);
  }

  /** The hosts a placement puts containers on: its host list, or the known hosts it selects. */
  private static Set<String> hosts(Placement placement, Map<String, Map<String, String>> labels) {
    if (placement instanceof Placement.Hosts hosts) return new HashSet<>(hosts.hostIds());
    Set<String> selected = new HashSet<>();
    labels.forEach(
        (host, hostLabels) -> {
          if (placement.selects(host, hostLabels)) selected.add(host);
        });
    return selected;
  }

  private static int placedOn(App app, String host, Map<String, Map<String, String>> hostLabels) {
    if (app == null || app.state() == AppState.ABSENT) return 0;
    Map<String, String> labels = hostLabels.getOrDefault(host, Map.of());
    return app.placement().selects(host, labels) ? app.instances() : 0;
  }
}
