package ogp.reconciler.desired;

import java.util.List;
import java.util.Optional;

/**
 * What one desired-state file holds: its apps (those documents that validated), the validation
 * errors of the file and warnings (e.g. a file of another {@code kind} that was ignored). Duplicate
 * app names are not checked here: that is a whole-tree rule of {@link DesiredStateReader#combine}.
 *
 * @param path the file, relative to the repository root, as used in messages
 * @param policy the policy the file holds when it is the valid policy file ({@code ogp.yaml})
 */
public record FileResult(
    String path,
    List<App> apps,
    List<ValidationError> errors,
    List<String> warnings,
    Optional<Policy> policy) {
  public FileResult {
    apps = List.copyOf(apps);
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
    java.util.Objects.requireNonNull(policy, "policy");
  }

  /** A file of apps (not the policy file). */
  public FileResult(
      String path, List<App> apps, List<ValidationError> errors, List<String> warnings) {
    this(path, apps, errors, warnings, Optional.empty());
  }
}
