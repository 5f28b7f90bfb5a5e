package ogp.reconciler.desired;

import java.util.List;

/**
 * What one desired-state file holds: its apps (those documents that validated), the validation
 * errors of the file and warnings (e.g. a file of another {@code kind} that was ignored). Duplicate
 * app names are not checked here: that is a whole-tree rule of {@link DesiredStateReader#combine}.
 *
 * @param path the file, relative to the repository root, as used in messages
 */
public record FileResult(
    String path, List<App> apps, List<ValidationError> errors, List<String> warnings) {
  public FileResult {
    apps = List.copyOf(apps);
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }
}
