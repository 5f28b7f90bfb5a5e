package ogp.reconciler.source;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable view of the desired-state files at one commit: the artifact the rest of the
 * reconciler consumes (Flux's source-controller model). It holds raw bytes and knows nothing of
 * YAML.
 *
 * <p>Policy: {@code files} maps repository-relative paths of the desired-state files below {@link
 * GitRemote#path()} ({@link RevisionFiles} says which, and how large) to their content, sorted by
 * path. The byte arrays are shared between successive snapshots (unchanged files are not read
 * again), so callers must never modify them.
 *
 * @param revision the full commit sha
 * @param commit author, time and subject of that commit
 * @param files path to content, sorted and unmodifiable
 */
public record Snapshot(String revision, CommitInfo commit, Map<String, byte[]> files) {

  public Snapshot {
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(commit, "commit");
    SortedMap<String, byte[]> sorted = new TreeMap<>(files);
    files = Collections.unmodifiableSortedMap(sorted);
  }

  /**
   * The snapshot at {@code rev} (sha, branch, tag, {@code HEAD}, {@code origin/main}...) of a local
   * repository, read directly without a mirror: for {@code ogp diff} inside a clone, where the
   * revisions to compare are the clone's own. Read as {@link RevisionFiles#snapshotAt} reads.
   */
  public static Snapshot at(org.eclipse.jgit.lib.Repository repository, String rev, String path) {
    return new RevisionFiles(repository, path).snapshotAt(rev);
  }

  /** The content of one file, if it is part of the snapshot. */
  public Optional<byte[]> file(String path) {
    return Optional.ofNullable(files.get(path));
  }

  @Override
  public String toString() {
    return "Snapshot[revision=" + revision + ", files=" + files.keySet() + "]";
  }
}
