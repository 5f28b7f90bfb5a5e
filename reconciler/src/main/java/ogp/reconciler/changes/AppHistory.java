package ogp.reconciler.changes;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.SourcePosition;
import ogp.reconciler.source.RevisionFiles;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The commits that changed one app: a commit counts when the app's parsed document differs between
 * it and its first parent (so a reformatting or a comment edit does not count, and a move to
 * another file does not either). Only files a commit touched are parsed. Bounded: at most {@code
 * limit} entries from the newest {@link #SCAN_LIMIT} commits, newest first. Files are the
 * desired-state files as {@link RevisionFiles} reads them (its filter, its size limit).
 */
final class AppHistory {
  static final int SCAN_LIMIT = 5000;
  private static final SourcePosition NOWHERE = new SourcePosition("", 0, 0);

  private final RevisionFiles files;
  private final DesiredStateReader reader = new DesiredStateReader();

  AppHistory(RevisionFiles files) {
    this.files = files;
  }

  List<HistoryEntry> of(ObjectId head, String app, int limit) throws IOException {
    List<HistoryEntry> entries = new ArrayList<>();
    try (RevWalk walk = new RevWalk(files.repository())) {
      walk.sort(RevSort.TOPO);
      walk.sort(RevSort.COMMIT_TIME_DESC, true);
      walk.markStart(walk.parseCommit(head));
      int scanned = 0;
      for (RevCommit commit : walk) {
        if (entries.size() >= limit || ++scanned > SCAN_LIMIT) break;
        RevCommit parent =
            commit.getParentCount() == 0 ? null : walk.parseCommit(commit.getParent(0));
        Map<String, DiffEntry.ChangeType> changed = changedFiles(parent, commit);
        if (changed.isEmpty()) continue;
        Located before = locate(parent, changed, app);
        Located after = locate(commit, changed, app);
        if (before.app().isEmpty()
            && after.app().isEmpty()
            && before.path().isEmpty()
            && after.path().isEmpty()) continue;
        if (comparable(before.app()).equals(comparable(after.app()))
            && before.path().isPresent() == after.path().isPresent()) continue;
        entries.add(
            new HistoryEntry(
                commit.getName(),
                commit.getAuthorIdent().getName(),
                commit.getAuthorIdent().getEmailAddress(),
                commit.getAuthorIdent().getWhenAsInstant(),
                commit.getShortMessage(),
                after.path().or(before::path).orElse(""),
                before.app().map(App::version),
                after.app().map(App::version)));
      }
    }
    return entries;
  }

  private record Located(Optional<String> path, Optional<App> app) {}

  /**
   * The app among the given files as they are in {@code commit}: its file (any document naming it)
   * and its validated form.
   */
  private Located locate(RevCommit commit, Map<String, DiffEntry.ChangeType> changed, String app)
      throws IOException {
    if (commit == null) return new Located(Optional.empty(), Optional.empty());
    for (String file : changed.keySet()) {
      Optional<byte[]> bytes = files.file(commit, file);
      if (bytes.isEmpty() || !YamlEdit.holds(bytes.get(), app)) continue;
      Optional<App> parsed =
          reader.readFile(file, bytes.get()).apps().stream()
              .filter(a -> a.name().equals(app))
              .findFirst();
      return new Located(Optional.of(file), parsed);
    }
    return new Located(Optional.empty(), Optional.empty());
  }

  private Map<String, DiffEntry.ChangeType> changedFiles(RevCommit parent, RevCommit commit)
      throws IOException {
    Map<String, DiffEntry.ChangeType> changed = new HashMap<>();
    for (DiffEntry entry : files.changes(parent, commit)) {
      changed.put(
          entry.getChangeType() == DiffEntry.ChangeType.DELETE
              ? entry.getOldPath()
              : entry.getNewPath(),
          entry.getChangeType());
    }
    return changed;
  }

  /** The app without its position, so moving it within a file does not count as a change. */
  private static Optional<App> comparable(Optional<App> app) {
    return app.map(a -> a.withSource(NOWHERE));
  }
}
