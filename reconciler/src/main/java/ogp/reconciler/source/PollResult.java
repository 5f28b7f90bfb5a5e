package ogp.reconciler.source;

import java.util.Set;

/**
 * The result of one {@link GitMirror#poll()}.
 *
 * @param snapshot the new snapshot, or {@code null} when the branch did not move
 * @param changedPaths files added, modified or deleted since the previous snapshot
 *     (repository-relative, only desired-state files); every file on the first snapshot of a mirror
 *     instance
 * @param fetched whether objects were fetched from the remote (false when only the ref
 *     advertisement was read, or when the mirror already held the commit)
 */
public record PollResult(Snapshot snapshot, Set<String> changedPaths, boolean fetched) {

  public PollResult {
    changedPaths = Set.copyOf(changedPaths);
  }

  static PollResult unchanged(boolean fetched) {
    return new PollResult(null, Set.of(), fetched);
  }

  /** Whether a new snapshot was produced. */
  public boolean changed() {
    return snapshot != null;
  }
}
