package ogp.reconciler.source;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import ogp.reconciler.desired.DesiredStateFiles;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The desired-state files of one repository at any of its revisions: the one reader of Git below
 * the desired-state path. The reconciler's snapshots ({@link GitMirror}, {@link Snapshot#at}), the
 * change path (the tip it edits, an app's history, reverts) and the specs rollouts rebuild of what
 * hosts run all read through it, so they agree on which files there are and what they hold.
 *
 * <p>Policy:
 *
 * <ul>
 *   <li>Which files: the regular (plain or executable) files below the desired-state path that
 *       {@link DesiredStateFiles} calls desired state: {@code *.yaml}/{@code *.yml}, no dotfile,
 *       nothing in a dot-directory. A symbolic link, a submodule or a directory is never desired
 *       state, whatever its name: it is not listed, not read and never followed, so nothing outside
 *       the repository's objects is reached. A path that is not a desired-state file reads as
 *       absent.
 *   <li>How large: at most {@link #MAX_FILE_BYTES} bytes, which is the YAML parser's own per-file
 *       limit ({@link DesiredStateFiles#MAX_FILE_BYTES}, 1 MiB), so the two can never disagree:
 *       what is read is never refused for its size, and a larger file, which could never validate,
 *       is never inflated into the heap (its size comes from the object's header). Reading one
 *       throws a {@link GitSourceException} saying "File <em>path</em> at commit <em>sha</em> is
 *       larger than 1048576 bytes and is not read as desired state.", the same wherever it is read:
 *       a snapshot, one file, at any revision.
 *   <li>Paths are relative to the repository root, as snapshots key them.
 * </ul>
 *
 * <p>Reads the object database only, never the network or a working tree. Thread-safe: it holds no
 * state but the repository (which it does not own or close), and each call uses its own object
 * reader.
 */
public final class RevisionFiles {
  /**
   * The largest file read: the YAML parser's per-file limit, so nothing is read that could not
   * validate.
   */
  public static final int MAX_FILE_BYTES = DesiredStateFiles.MAX_FILE_BYTES;

  private final Repository repository;
  private final String path;
  private final TreeFilter desiredStateFiles;

  /**
   * @param repository the repository to read
   * @param path the desired-state directory of the repository ({@code ""} = root), without a
   *     trailing slash
   */
  public RevisionFiles(Repository repository, String path) {
    this.repository = repository;
    this.path = path;
    TreeFilter files = new DesiredStateFilter(path);
    this.desiredStateFiles =
        path.isEmpty() ? files : AndTreeFilter.create(PathFilter.create(path), files);
  }

  /** The repository read, for walking its commits; read files through this class. */
  public Repository repository() {
    return repository;
  }

  /** The desired-state directory ({@code ""} = root). */
  public String path() {
    return path;
  }

  /**
   * Every desired-state file at {@code rev} (sha, branch, tag, {@code HEAD}, {@code
   * origin/main}...).
   *
   * @throws GitSourceException when {@code rev} is not a commit, a file is too large, or the
   *     objects cannot be read
   */
  public Snapshot snapshotAt(String rev) {
    try {
      ObjectId id = repository.resolve(rev + "^{commit}");
      if (id == null) {
        throw new GitSourceException(
            "Revision " + rev + " is not a commit of " + repository.getDirectory() + ".");
      }
      try (ObjectReader reader = repository.newObjectReader();
          RevWalk walk = new RevWalk(reader)) {
        return snapshot(reader, walk.parseCommit(id));
      }
    } catch (IOException e) {
      throw new GitSourceException("Cannot read revision " + rev + ": " + e.getMessage(), e);
    }
  }

  /**
   * The content of {@code file} at {@code commit}; empty when the commit has no desired-state file
   * there (absent, a symbolic link or other non-file, or a path this class's filter does not take).
   *
   * @throws GitSourceException when the file is larger than {@link #MAX_FILE_BYTES}
   */
  public Optional<byte[]> file(AnyObjectId commit, String file) throws IOException {
    if (!isDesiredState(file)) return Optional.empty();
    try (ObjectReader reader = repository.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit parsed = walk.parseCommit(commit);
      try (TreeWalk tree = TreeWalk.forPath(reader, file, parsed.getTree())) {
        if (tree == null || !isFile(tree.getFileMode(0))) return Optional.empty();
        return Optional.of(load(reader, tree.getObjectId(0), file, parsed));
      }
    }
  }

  /**
   * The desired-state paths that differ between {@code from} ({@code null}: the empty tree, for a
   * root commit) and {@code to}, both parsed. An entry's side whose mode is not a regular file is
   * not desired state; read contents through {@link #file}.
   */
  public List<DiffEntry> changes(RevCommit from, RevCommit to) throws IOException {
    try (ObjectReader reader = repository.newObjectReader()) {
      return changes(reader, from, to);
    }
  }

  /** The snapshot of {@code commit}, every file read. */
  Snapshot snapshot(ObjectReader reader, RevCommit commit) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (TreeWalk tree = new TreeWalk(reader)) {
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      tree.setFilter(desiredStateFiles);
      while (tree.next()) {
        if (isFile(tree.getFileMode(0))) {
          files.put(
              tree.getPathString(),
              load(reader, tree.getObjectId(0), tree.getPathString(), commit));
        }
      }
    }
    return new Snapshot(commit.getName(), CommitInfo.of(commit), files);
  }

  List<DiffEntry> changes(ObjectReader reader, RevCommit from, RevCommit to) throws IOException {
    try (TreeWalk tree = new TreeWalk(reader)) {
      if (from == null) tree.addTree(new EmptyTreeIterator());
      else tree.addTree(from.getTree());
      tree.addTree(to.getTree());
      tree.setRecursive(true);
      // ANY_DIFF first: identical subtrees are skipped without being opened.
      tree.setFilter(AndTreeFilter.create(TreeFilter.ANY_DIFF, desiredStateFiles));
      return DiffEntry.scan(tree);
    }
  }

  /** The blob of {@code path} at {@code commit}, within the limit. */
  byte[] load(ObjectReader reader, AnyObjectId blob, String path, RevCommit commit)
      throws IOException {
    // JGit's getCachedBytes(limit) enforces the limit only on objects above its streaming threshold
    // (core.streamFileThreshold, 50 MiB): below it the whole object is inflated and returned. So
    // the
    // size is checked first, from the object's header, before anything is inflated.
    long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
    if (size > MAX_FILE_BYTES) throw new FileTooLarge(path, size, CommitInfo.of(commit));
    try {
      return reader.open(blob, Constants.OBJ_BLOB).getCachedBytes(MAX_FILE_BYTES);
    } catch (LargeObjectException e) {
      throw new FileTooLarge(path, size, CommitInfo.of(commit));
    }
  }

  /**
   * Whether an entry of this mode can be desired state: a regular file, never a link, submodule or
   * tree.
   */
  static boolean isFile(FileMode mode) {
    return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
  }

  /** {@link DesiredStateFiles}' rule on a repository-relative path. */
  private boolean isDesiredState(String file) {
    if (path.isEmpty()) return DesiredStateFiles.isDesiredState(file);
    return file.startsWith(path + "/")
        && DesiredStateFiles.isDesiredState(file.substring(path.length() + 1));
  }

  /**
   * {@link DesiredStateFiles}' rule as a tree filter, on paths relative to the desired-state root.
   */
  private static final class DesiredStateFilter extends TreeFilter {
    private final String root;

    DesiredStateFilter(String root) {
      this.root = root;
    }

    @Override
    public boolean include(TreeWalk walker) {
      String path = walker.getPathString();
      if (!root.isEmpty()) {
        if (root.equals(path) || root.startsWith(path + "/"))
          return true; // the root or a directory above it
        if (!path.startsWith(root + "/")) return false;
        path = path.substring(root.length() + 1);
      }
      return walker.isSubtree()
          ? DesiredStateFiles.mayHoldDesiredState(path)
          : DesiredStateFiles.isDesiredState(path);
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
}
