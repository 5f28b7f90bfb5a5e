package ogp.reconciler.changes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.desired.ReadResult;
import ogp.reconciler.source.Snapshot;

/**
 * The desired-state files of one commit, parsed once: finds which file holds an app and validates
 * the whole tree as it would be with one file changed (the same rules the reconciler applies, so a
 * change that passes here is never refused by it).
 */
final class DesiredTree {
  private final Snapshot snapshot;
  private final Map<String, FileResult> parsed = new LinkedHashMap<>();
  private final DesiredStateReader reader = new DesiredStateReader();

  DesiredTree(Snapshot snapshot) {
    this.snapshot = snapshot;
    snapshot.files().forEach((path, bytes) -> parsed.put(path, reader.readFile(path, bytes)));
  }

  private DesiredTree(Snapshot snapshot, Map<String, FileResult> parsed) {
    this.snapshot = snapshot;
    this.parsed.putAll(parsed);
  }

  /**
   * This tree as commit {@code revision} has it, which changed only {@code path} to {@code content}
   * (empty: removed); only that file is parsed again. The commit metadata stays this tree's.
   */
  DesiredTree with(String revision, String path, Optional<byte[]> content) {
    Map<String, byte[]> files = new TreeMap<>(snapshot.files());
    Map<String, FileResult> reparsed = new TreeMap<>(parsed); // path order, as a fresh read has it
    if (content.isPresent()) {
      files.put(path, content.get());
      reparsed.put(path, reader.readFile(path, content.get()));
    } else {
      files.remove(path);
      reparsed.remove(path);
    }
    return new DesiredTree(new Snapshot(revision, snapshot.commit(), files), reparsed);
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The file that defines {@code app}: a valid definition first, else any document naming it. */
  Optional<String> fileOf(String app) {
    for (FileResult file : parsed.values()) {
      if (file.apps().stream().anyMatch(a -> a.name().equals(app))) return Optional.of(file.path());
    }
    return snapshot.files().entrySet().stream()
        .filter(e -> YamlEdit.holds(e.getValue(), app))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** The app as it validated in this tree, if it did. */
  Optional<App> app(String app) {
    return parsed.values().stream()
        .flatMap(f -> f.apps().stream())
        .filter(a -> a.name().equals(app))
        .findFirst();
  }

  /** The whole tree read with {@code path} holding {@code content} (empty: removed). */
  ReadResult validateWith(String path, Optional<byte[]> content) {
    List<FileResult> files = new ArrayList<>();
    parsed.forEach(
        (p, result) -> {
          if (!p.equals(path)) files.add(result);
        });
    content.ifPresent(bytes -> files.add(reader.readFile(path, bytes)));
    return DesiredStateReader.combine(files);
  }
}
