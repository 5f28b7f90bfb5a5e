package ogp.reconciler.changes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import ogp.reconciler.source.RevisionFiles;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeFormatter;
import org.eclipse.jgit.merge.MergeResult;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Reverts one commit's change to one file, in core: the three-way merge git revert does (base = the
 * commit, ours = the head, theirs = the commit's parent), restricted to that file with JGit's
 * {@link MergeAlgorithm}. A conflict names the newest later commit that changed the file; nothing
 * is ever written with conflict markers. The file is read as {@link RevisionFiles} reads it (its
 * filter, its size limit); where it is not a desired-state file it counts as absent.
 */
final class Revert {
  private final RevisionFiles files;

  Revert(RevisionFiles files) {
    this.files = files;
  }

  /**
   * The file's content after reverting {@code commit} on {@code head}; empty when the revert
   * removes the file.
   */
  Optional<byte[]> apply(RevCommit commit, RevCommit head, String file, String app)
      throws IOException {
    if (commit.getParentCount() > 1) {
      throw new ChangeRefused(
          "Commit "
              + commit.abbreviate(7).name()
              + " is a merge commit; roll back to a commit"
              + " on one line of history instead (a merge has no single change to revert).");
    }
    if (commit.getParentCount() == 0) {
      throw new ChangeRefused(
          "Commit "
              + commit.abbreviate(7).name()
              + " is the first commit of the branch;"
              + " there is nothing before it to roll back to.");
    }
    Optional<byte[]> base = files.file(commit, file);
    Optional<byte[]> theirs = files.file(commit.getParent(0), file);
    Optional<byte[]> ours = files.file(head, file);
    if (sameContent(base, theirs)) {
      throw new ChangeRefused(
          "Commit "
              + commit.abbreviate(7).name()
              + " ("
              + commit.getShortMessage()
              + ") did not change "
              + file
              + ", the file of app "
              + app
              + "; nothing to roll back.");
    }
    if (ours.isEmpty() || base.isEmpty()) throw conflict(commit, head, file);
    if (theirs.isEmpty()) {
      // The commit added the file: reverting removes it, unless it was changed since.
      if (Arrays.equals(base.get(), ours.get())) return Optional.empty();
      throw conflict(commit, head, file);
    }
    MergeResult<RawText> merged =
        new MergeAlgorithm(DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM))
            .merge(
                RawTextComparator.DEFAULT,
                new RawText(base.get()),
                new RawText(ours.get()),
                new RawText(theirs.get()));
    if (merged.containsConflicts()) throw conflict(commit, head, file);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new MergeFormatter()
        .formatMerge(out, merged, List.of("base", "ours", "theirs"), StandardCharsets.UTF_8);
    return Optional.of(out.toByteArray());
  }

  private ChangeConflict conflict(RevCommit commit, RevCommit head, String file)
      throws IOException {
    String later =
        laterChange(commit, head, file)
            .map(
                c ->
                    " conflicts with the later commit "
                        + c.abbreviate(7).name()
                        + " ("
                        + c.getShortMessage()
                        + ")")
            .orElse(" conflicts with later changes");
    return new ChangeConflict(
        "Reverting commit "
            + commit.abbreviate(7).name()
            + " ("
            + commit.getShortMessage()
            + ") in "
            + file
            + later
            + "; nothing was committed. Deploy the version you want instead.");
  }

  /** The newest commit after {@code commit} up to {@code head} that changed {@code file}. */
  private Optional<RevCommit> laterChange(RevCommit commit, RevCommit head, String file)
      throws IOException {
    try (RevWalk walk = new RevWalk(files.repository())) {
      walk.markStart(walk.parseCommit(head));
      walk.markUninteresting(walk.parseCommit(commit));
      for (RevCommit c : walk) {
        if (c.getParentCount() == 0) continue;
        RevCommit parent = walk.parseCommit(c.getParent(0));
        if (!sameContent(files.file(c, file), files.file(parent, file))) return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static boolean sameContent(Optional<byte[]> a, Optional<byte[]> b) {
    return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
  }
}
