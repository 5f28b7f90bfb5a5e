package ogp.reconciler.desired;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-file results of a desired-state tree, changed one file at a time, and their combination:
 * {@link #result()} always equals {@link DesiredStateReader#combine} of the current files, without
 * recombining and re-sorting every file after each change.
 *
 * <p>Policy: while the tree is valid (no file has an error and no app name is defined twice) the
 * combined apps are updated with the apps of the changed files only. While any error is present the
 * result is {@link DesiredStateReader#combine} of all files, so every error and its message still
 * come from the one place that defines them; invalid trees are rare and not the fast path.
 *
 * <p>Not thread-safe: one owner changes and reads it.
 */
public final class CombinedTree {
  private final Map<String, FileResult> files = new TreeMap<>(); // by path: combine's order

  /** Every definition of each app name, in no particular order; usually exactly one. */
  private final Map<String, List<App>> definitions = new HashMap<>();

  /** The app of every name defined exactly once, by name. */
  private final TreeMap<String, App> apps = new TreeMap<>();

  private final Set<String> duplicateNames = new HashSet<>();
  private final Set<String> filesWithErrors = new HashSet<>();
  private final TreeMap<String, List<String>> warnings = new TreeMap<>(); // files that have any

  /** The file that holds the policy, and its policy; null without one. */
  private FileResult policyFile;

  /** Adds the file, or replaces the result of the file with the same path. */
  public void put(FileResult file) {
    remove(file.path());
    files.put(file.path(), file);
    if (!file.errors().isEmpty()) filesWithErrors.add(file.path());
    if (!file.warnings().isEmpty()) warnings.put(file.path(), file.warnings());
    if (file.policy().isPresent()) policyFile = file;
    for (App app : file.apps()) {
      List<App> defs = definitions.computeIfAbsent(app.name(), name -> new ArrayList<>(1));
      defs.add(app);
      if (defs.size() == 1) {
        apps.put(app.name(), app);
      } else {
        apps.remove(app.name());
        duplicateNames.add(app.name());
      }
    }
  }

  /** Removes the file of this path, if there is one. */
  public void remove(String path) {
    FileResult file = files.remove(path);
    if (file == null) return;
    filesWithErrors.remove(path);
    warnings.remove(path);
    if (policyFile == file) policyFile = null;
    for (App app : file.apps()) {
      List<App> defs = definitions.get(app.name());
      defs.removeIf(def -> def == app); // this file's own objects, not an equal one of another file
      if (defs.isEmpty()) {
        definitions.remove(app.name());
        apps.remove(app.name());
      } else if (defs.size() == 1) {
        apps.put(app.name(), defs.get(0));
        duplicateNames.remove(app.name());
      }
    }
  }

  /** Removes every file whose path is not in {@code paths}. */
  public void retainOnly(Set<String> paths) {
    List<String> gone = new ArrayList<>();
    for (Iterator<String> it = files.keySet().iterator(); it.hasNext(); ) {
      String path = it.next();
      if (!paths.contains(path)) gone.add(path);
    }
    gone.forEach(this::remove);
  }

  /** The number of files. */
  public int size() {
    return files.size();
  }

  /** The combination of the current files, as {@link DesiredStateReader#combine} gives it. */
  public ReadResult result() {
    if (!filesWithErrors.isEmpty() || !duplicateNames.isEmpty()) {
      return DesiredStateReader.combine(files.values());
    }
    List<String> allWarnings = new ArrayList<>();
    warnings.values().forEach(allWarnings::addAll);
    Policy policy = policyFile == null ? Policy.DEFAULT : policyFile.policy().orElseThrow();
    return new ReadResult(new DesiredState(apps, policy), List.of(), allWarnings);
  }
}
