package ogp.reconciler.changes;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.auth.Role;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppField;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.Placement;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * What a role may roll back: a revert changes nothing its caller could not change directly. With
 * {@link Permission#ROLLBACK} (a deployer) a revert may change the app's {@code version} and {@code
 * state}; one that changes any other field of the app's document (compared as parsed, field by
 * field of {@link AppField}: hosts or selector, image, env, ports, ...) or removes the document
 * needs {@link Permission#ROLLBACK_ANY_FIELD} (an admin), and is refused with {@link
 * RollbackForbidden} naming the fields. A revert of comments or formatting changes no field. When
 * the reverted document does not validate, the change's validation refuses it instead; when the
 * document at the head does not, the fields cannot be compared and the wider permission is needed.
 */
final class RollbackScope {
  /** The fields {@link Permission#ROLLBACK} may change, besides where the document starts. */
  private static final Set<AppField> NARROW =
      EnumSet.of(AppField.VERSION, AppField.STATE, AppField.SOURCE);

  private final DesiredStateReader reader = new DesiredStateReader();

  /**
   * Refuses, unless {@code role} may make it, the revert of {@code commit} that changes the app's
   * document in {@code file} as {@code reverted} says.
   */
  void check(Role role, String app, RevCommit commit, String file, Revert.Reverted reverted) {
    if (Permission.ROLLBACK_ANY_FIELD.allows(role)) return;
    Optional<App> after =
        reverted.after().isEmpty() ? Optional.empty() : read(file, reverted.after(), app);
    String what;
    if (after.isEmpty() && !reverted.after().isEmpty()) {
      // Not an app any more (another kind, or no longer valid): fail closed, since a file whose
      // first document is of another kind is skipped as a whole and would take its apps along.
      what = "rewrite the document of " + app + " so that it no longer reads as that app";
    } else if (after.isEmpty()) {
      what = "remove app " + app + " (the commit added its document)";
    } else {
      Optional<App> before = read(file, reverted.before(), app);
      if (before.isEmpty()) {
        what = "rewrite the document of " + app + ", which does not validate now";
      } else {
        List<String> fields = changed(before.get(), after.get());
        if (fields.isEmpty()) return;
        what = "change " + String.join(", ", fields) + " of " + app;
      }
    }
    Role needed = Permission.ROLLBACK_ANY_FIELD.needs();
    throw new RollbackForbidden(
        "rolling back "
            + commit.abbreviate(7).name()
            + " would "
            + what
            + "; a "
            + role.label()
            + " may change only version and state: ask an "
            + needed.label(),
        needed);
  }

  /** The YAML keys of the fields outside {@link #NARROW} that differ, in the table's order. */
  private static List<String> changed(App before, App after) {
    Set<String> keys = new LinkedHashSet<>();
    for (AppField field : AppField.values()) {
      if (NARROW.contains(field) || field.of(before).equals(field.of(after))) continue;
      if (field == AppField.PLACEMENT) {
        keys.add(placementKey(before.placement()));
        keys.add(placementKey(after.placement()));
      } else {
        keys.add(field.yamlKey());
      }
    }
    return new ArrayList<>(keys);
  }

  private static String placementKey(Placement placement) {
    return placement instanceof Placement.Hosts ? "hosts" : "selector";
  }

  /** The app as its document alone validates, if it does. */
  private Optional<App> read(String file, String document, String app) {
    return reader.readFile(file, AppDocuments.bytes(document)).apps().stream()
        .filter(a -> a.name().equals(app))
        .findFirst();
  }
}
