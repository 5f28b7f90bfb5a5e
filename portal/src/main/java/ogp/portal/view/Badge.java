package ogp.portal.view;

import java.util.Locale;
import ogp.reconciler.plan.HealthStatus;
import ogp.reconciler.plan.SyncStatus;

/**
 * A coloured status label. The colours follow what operators know from Argo CD: green is good, blue
 * is moving, amber needs a look, red is broken, grey is not known. This is the one place that maps
 * a status to them; the templates lay a badge out with {@code fragments/badges.html} (the apps
 * grid's cell dots take only its colour).
 *
 * @param css the Bootstrap classes of the badge
 * @param icon one character shown before the text, so state reads without colour too
 */
public record Badge(String text, String css, String icon) {

  public static Badge of(SyncStatus sync) {
    return switch (sync) {
      case Synced -> new Badge("Synced", "text-bg-success", "✓");
      case Progressing -> new Badge("Progressing", "text-bg-primary", "↻");
      case OutOfSync -> new Badge("OutOfSync", "text-bg-warning", "≠");
      case Unknown -> new Badge("Unknown", "text-bg-secondary", "?");
    };
  }

  public static Badge of(HealthStatus health) {
    return switch (health) {
      case Healthy -> new Badge("Healthy", "text-bg-success", "♥");
      case Progressing -> new Badge("Progressing", "text-bg-primary", "↻");
      case Missing -> new Badge("Missing", "text-bg-warning", "∅");
      case Degraded -> new Badge("Degraded", "text-bg-danger", "✕");
      case Unknown -> new Badge("Unknown", "text-bg-secondary", "?");
    };
  }

  /** A host's link state: {@code connected} or {@code lost}. */
  public static Badge ofHost(String status) {
    return "connected".equals(status)
        ? new Badge("connected", "text-bg-success", "●")
        : new Badge(status, "text-bg-danger", "○");
  }

  /** A container's Docker state (running, exited, created, restarting ...). */
  public static Badge ofContainer(String state) {
    String s = state == null ? "unknown" : state.toLowerCase(Locale.ROOT);
    return switch (s) {
      case "running" -> new Badge(s, "text-bg-success", "▶");
      case "restarting", "created" -> new Badge(s, "text-bg-primary", "↻");
      case "exited", "dead" -> new Badge(s, "text-bg-danger", "■");
      default -> new Badge(s, "text-bg-secondary", "?");
    };
  }
}
