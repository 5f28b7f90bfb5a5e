package ogp.reconciler.source;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Builds {@link Snapshot}s from commits in a repository's object database.
 *
 * <p>Policy: a snapshot holds the desired-state files of the commit as {@link RevisionFiles} reads
 * them (its filter, its size limit). Going from one snapshot to the next walks both trees at once,
 * skips identical subtrees, and reads only the blobs that changed; unchanged files keep the
 * previous snapshot's byte arrays.
 */
final class SnapshotReader {
  private final RevisionFiles files;

  SnapshotReader(RevisionFiles files) {
    this.files = files;
  }

  /** A snapshot plus the paths that differ from the snapshot it was derived from. */
  record Delta(Snapshot snapshot, Set<String> changedPaths) {}

  /**
   * The snapshot at {@code commitId}, derived from {@code previous} when there is one whose commit
   * is still in the repository; otherwise read in full, with every file (and every file of {@code
   * previous} that is gone) reported as changed.
   */
  Delta read(ObjectId commitId, Snapshot previous) throws IOException {
    try (ObjectReader reader = files.repository().newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit commit = walk.parseCommit(commitId);
      ObjectId previousCommit =
          previous == null ? null : files.repository().resolve(previous.revision() + "^{commit}");
      if (previousCommit == null) {
        return readFully(reader, commit, previous);
      }
      return readChanges(reader, walk.parseCommit(previousCommit), commit, previous);
    }
  }

  private Delta readFully(ObjectReader reader, RevCommit commit, Snapshot previous)
      throws IOException {
    Snapshot snapshot = files.snapshot(reader, commit);
    Set<String> changed = new TreeSet<>(snapshot.files().keySet());
    if (previous != null) {
      changed.addAll(previous.files().keySet());
    }
    return new Delta(snapshot, changed);
  }

  private Delta readChanges(ObjectReader reader, RevCommit from, RevCommit to, Snapshot previous)
      throws IOException {
    // Sorted to sorted: a linear copy, and the snapshot's own sorted copy of it is linear too.
    Map<String, byte[]> next = new TreeMap<>(previous.files());
    Set<String> changed = new TreeSet<>();
    for (DiffEntry entry : files.changes(reader, from, to)) {
      String oldPath = entry.getOldPath();
      String newPath = entry.getNewPath();
      if (entry.getChangeType() != DiffEntry.ChangeType.ADD && next.remove(oldPath) != null) {
        changed.add(oldPath);
      }
      if (entry.getChangeType() != DiffEntry.ChangeType.DELETE
          && RevisionFiles.isFile(entry.getNewMode())) {
        next.put(newPath, files.load(reader, entry.getNewId().toObjectId(), newPath, to));
        changed.add(newPath);
      }
    }
    return new Delta(new Snapshot(to.getName(), CommitInfo.of(to), next), changed);
  }
}
