package ogp.reconciler.desired;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What changes between two desired states, per app and placement target, for {@code ogp diff} and
 * merge-request comments (SPEC §3). Pure.
 *
 * <p>Policy: a target is a host of a {@code hosts:} placement, or for a {@code selector:} the whole
 * selector ({@code hosts matching role=web}, labels sorted), since which hosts match is only known
 * at run time. An app with {@code state: absent} has no targets, so taking an app offline shows as
 * removals and bringing it back as additions. A target present on both sides is a change when the
 * version or any other field that shapes its containers differs; the detail names those fields.
 * Changes are sorted by app, then target.
 */
public final class DesiredStateDiff {
  private DesiredStateDiff() {}

  /** One line of a diff. {@code fromVersion} is null for ADDED, {@code toVersion} for REMOVED. */
  public record Change(
      Kind kind, String app, String host, String fromVersion, String toVersion, String detail) {
    public enum Kind {
      ADDED,
      REMOVED,
      CHANGED
    }

    public Change {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(host, "host");
      detail = detail == null ? "" : detail;
    }

    /**
     * {@code + web 42 on host-c}, {@code ~ web 41 -> 42 on host-a (env changed)}, {@code - api on
     * host-b}.
     */
    @Override
    public String toString() {
      return switch (kind) {
        case ADDED -> "+ " + app + " " + toVersion + " on " + host;
        case REMOVED -> "- " + app + " on " + host;
        case CHANGED ->
            "~ "
                + app
                + " "
                + (fromVersion.equals(toVersion) ? toVersion : fromVersion + " -> " + toVersion)
                + " on "
                + host
                + (detail.isEmpty() ? "" : " (" + detail + " changed)");
      };
    }
  }

  public static List<Change> between(DesiredState from, DesiredState to) {
    List<Change> changes = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(from.apps().keySet());
    names.addAll(to.apps().keySet());
    for (String name : names) {
      Map<String, App> before = targets(from.apps().get(name));
      Map<String, App> after = targets(to.apps().get(name));
      TreeSet<String> hosts = new TreeSet<>(before.keySet());
      hosts.addAll(after.keySet());
      for (String host : hosts) {
        App was = before.get(host);
        App is = after.get(host);
        if (was == null) {
          changes.add(new Change(Change.Kind.ADDED, name, host, null, is.version(), ""));
        } else if (is == null) {
          changes.add(new Change(Change.Kind.REMOVED, name, host, was.version(), null, ""));
        } else {
          String detail = changedFields(was, is);
          if (!detail.isEmpty() || !was.version().equals(is.version())) {
            changes.add(
                new Change(Change.Kind.CHANGED, name, host, was.version(), is.version(), detail));
          }
        }
      }
    }
    return changes;
  }

  /**
   * The changes as plain lines, or as Markdown for a merge-request comment: a heading and a fenced
   * {@code diff} block (so additions and removals are coloured). "no changes" when empty.
   */
  public static String render(List<Change> changes, boolean markdown) {
    String lines =
        changes.isEmpty()
            ? "no changes\n"
            : changes.stream().map(Change::toString).collect(Collectors.joining("\n", "", "\n"));
    if (!markdown) return lines;
    String heading = "### ogp diff: " + summary(changes) + "\n\n";
    return changes.isEmpty() ? heading + lines : heading + "```diff\n" + lines + "```\n";
  }

  private static String summary(List<Change> changes) {
    if (changes.isEmpty()) return "no changes";
    Map<Change.Kind, Long> counts =
        changes.stream()
            .collect(Collectors.groupingBy(Change::kind, TreeMap::new, Collectors.counting()));
    return changes.size()
        + (changes.size() == 1 ? " change (" : " changes (")
        + counts.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase())
            .collect(Collectors.joining(", "))
        + ")";
  }

  /** Where an app runs, by target text; empty for a missing or absent app. */
  private static Map<String, App> targets(App app) {
    Map<String, App> targets = new TreeMap<>();
    if (app == null || app.state() == AppState.ABSENT) return targets;
    if (app.placement() instanceof Placement.Hosts hosts) {
      hosts.hostIds().forEach(host -> targets.put(host, app));
    } else if (app.placement() instanceof Placement.Selector selector) {
      targets.put(
          "hosts matching "
              + new TreeMap<>(selector.matchLabels())
                  .entrySet().stream()
                      .map(e -> e.getKey() + "=" + e.getValue())
                      .collect(Collectors.joining(",")),
          app);
    }
    return targets;
  }

  /** The names of the {@link AppField#comparedByDiff() compared fields} that differ, in order. */
  private static String changedFields(App was, App is) {
    return AppField.comparedByDiff().stream()
        .filter(field -> !Objects.equals(field.of(was), field.of(is)))
        .map(AppField::componentName)
        .collect(Collectors.joining(", "));
  }
}
