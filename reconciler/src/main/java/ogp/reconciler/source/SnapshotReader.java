package ogp.reconciler.source;

import java.io.IOException;
import java.util.TreeMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import ogp.reconciler.desired.DesiredStateFiles;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Builds {@link Snapshot}s from commits in a repository's object database.
 *
 * <p>Policy: a snapshot holds the regular files below the desired-state path that
 * {@link DesiredStateFiles} calls desired state (symbolic links and submodules are not). Going from one snapshot
 * to the next walks both trees at once, skips identical subtrees, and reads only the blobs that
 * changed; unchanged files keep the previous snapshot's byte arrays.
 */
final class SnapshotReader {
  /** A desired-state file larger than this is refused rather than risking the controller's heap. */
  static final int MAX_FILE_BYTES = 8 * 1024 * 1024;

  private final Repository repository;
  private final TreeFilter desiredStateFiles;

  SnapshotReader(Repository repository, String path) {
    this.repository = repository;
    TreeFilter files = new DesiredStateFilter(path);
    this.desiredStateFiles = path.isEmpty() ? files : AndTreeFilter.create(PathFilter.create(path), files);
  }

  /** {@link DesiredStateFiles}' rule as a tree filter, on paths relative to the desired-state root. */
  private static final class DesiredStateFilter extends TreeFilter {
    private final String root;

    DesiredStateFilter(String root) {
      this.root = root;
    }

    @Override
    public boolean include(TreeWalk walker) {
      String path = walker.getPathString();
      if (!root.isEmpty()) {
        if (root.equals(path) || root.startsWith(path + "/")) return true; // the root or a directory above it
        if (!path.startsWith(root + "/")) return false;
        path = path.substring(root.length() + 1);
      }
      return walker.isSubtree() ? DesiredStateFiles.mayHoldDesiredState(path) : DesiredStateFiles.isDesiredState(path);
    }

    @Override
    public boolean shouldBeRecursive() {
      return true;
    }

    @Override
    public TreeFilter clone() {
      return this; // stateless
    }
  }

  /** A snapshot plus the paths that differ from the snapshot it was derived from. */
  record Delta(Snapshot snapshot, Set<String> changedPaths) {}

  /**
   * The snapshot at {@code commitId}, derived from {@code previous} when there is one whose commit is
   * still in the repository; otherwise read in full, with every file (and every file of
   * {@code previous} that is gone) reported as changed.
   */
  Delta read(ObjectId commitId, Snapshot previous) throws IOException {
    try (ObjectReader reader = repository.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
      RevCommit commit = walk.parseCommit(commitId);
      ObjectId previousCommit = previous == null ? null : repository.resolve(previous.revision() + "^{commit}");
      if (previousCommit == null) {
        return readFully(reader, commit, previous);
      }
      return readChanges(reader, walk.parseCommit(previousCommit), commit, previous);
    }
  }

  private Delta readFully(ObjectReader reader, RevCommit commit, Snapshot previous) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (TreeWalk tree = new TreeWalk(reader)) {
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      tree.setFilter(desiredStateFiles);
      while (tree.next()) {
        if (isFile(tree.getFileMode(0))) {
          files.put(tree.getPathString(), load(reader, tree.getObjectId(0), tree.getPathString(), commit));
        }
      }
    }
    Set<String> changed = new TreeSet<>(files.keySet());
    if (previous != null) {
      changed.addAll(previous.files().keySet());
    }
    return new Delta(new Snapshot(commit.getName(), CommitInfo.of(commit), files), changed);
  }

  private Delta readChanges(ObjectReader reader, RevCommit from, RevCommit to, Snapshot previous) throws IOException {
    // Sorted to sorted: a linear copy, and the snapshot's own sorted copy of it is linear too.
    Map<String, byte[]> files = new TreeMap<>(previous.files());
    Set<String> changed = new TreeSet<>();
    try (TreeWalk tree = new TreeWalk(reader)) {
      tree.addTree(from.getTree());
      tree.addTree(to.getTree());
      tree.setRecursive(true);
      // ANY_DIFF first: identical subtrees are skipped without being opened.
      tree.setFilter(AndTreeFilter.create(TreeFilter.ANY_DIFF, desiredStateFiles));
      for (DiffEntry entry : DiffEntry.scan(tree)) {
        String oldPath = entry.getOldPath();
        String newPath = entry.getNewPath();
        if (entry.getChangeType() != DiffEntry.ChangeType.ADD && files.remove(oldPath) != null) {
          changed.add(oldPath);
        }
        if (entry.getChangeType() != DiffEntry.ChangeType.DELETE && isFile(entry.getNewMode())) {
          files.put(newPath, load(reader, entry.getNewId().toObjectId(), newPath, to));
          changed.add(newPath);
        }
      }
    }
    return new Delta(new Snapshot(to.getName(), CommitInfo.of(to), files), changed);
  }

  private static boolean isFile(FileMode mode) {
    return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
  }

  private static byte[] load(ObjectReader reader, ObjectId blob, String path, RevCommit commit) throws IOException {
    try {
      return reader.open(blob).getCachedBytes(MAX_FILE_BYTES);
    } catch (LargeObjectException e) {
      throw new GitSourceException("File " + path + " at commit " + commit.getName() + " is larger than "
          + MAX_FILE_BYTES + " bytes and is not read as desired state.");
    }
  }
}
