package ogp.reconciler.changes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Reverts one commit's change to one app's document, in core: the three-way merge git revert does
 * (base = the commit, ours = the head, theirs = the commit's parent), restricted to the text of
 * that app's document in its file ({@link AppDocuments}) with JGit's {@link MergeAlgorithm}. The
 * other documents of the file stay byte for byte, whatever the commit did to them. When the commit
 * added the app's document, the revert removes that document, and the file only when nothing else
 * is left in it. A conflict names the newest later commit that changed the app's document; nothing
 * is ever written with conflict markers. The file is read as {@link RevisionFiles} reads it (its
 * filter, its size limit); where it is not a desired-state file it counts as absent.
 */
final class Revert {
  private final RevisionFiles files;

  Revert(RevisionFiles files) {
    this.files = files;
  }

  /**
   * What reverting a commit does to the app's file and document.
   *
   * @param file the file's new content; empty when the revert removes the file
   * @param before the app's document at the head
   * @param after the app's document after the revert; empty when the revert removes it
   */
  record Reverted(Optional<byte[]> file, String before, String after) {}

  /**
   * Reverts {@code commit}'s change to the document of {@code app} in {@code file} on {@code head}.
   */
  Reverted apply(RevCommit commit, RevCommit head, String file, String app) throws IOException {
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
    Optional<String> base = document(commit, file, app);
    Optional<String> theirs = document(commit.getParent(0), file, app);
    if (base.equals(theirs)) {
      throw new ChangeRefused(
          "Commit "
              + commit.abbreviate(7).name()
              + " ("
              + commit.getShortMessage()
              + ") did not change the document of app "
              + app
              + " in "
              + file
              + "; nothing to roll back.");
    }
    AppDocuments atHead =
        documents(head, file).orElseThrow(() -> conflict(commit, head, file, app));
    Optional<String> ours = atHead.document(app);
    if (ours.isEmpty() || base.isEmpty()) throw conflict(commit, head, file, app);
    if (theirs.isEmpty()) {
      // The commit added the app's document: reverting removes it, unless it was changed since.
      if (base.get().equals(ours.get())) return new Reverted(atHead.with(app, ""), ours.get(), "");
      throw conflict(commit, head, file, app);
    }
    MergeResult<RawText> merged =
        new MergeAlgorithm(DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM))
            .merge(
                RawTextComparator.DEFAULT,
                new RawText(AppDocuments.bytes(base.get())),
                new RawText(AppDocuments.bytes(ours.get())),
                new RawText(AppDocuments.bytes(theirs.get())));
    if (merged.containsConflicts()) throw conflict(commit, head, file, app);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new MergeFormatter()
        .formatMerge(out, merged, List.of("base", "ours", "theirs"), StandardCharsets.UTF_8);
    String after = out.toString(StandardCharsets.UTF_8);
    return new Reverted(atHead.with(app, after), ours.get(), after);
  }

  /** The documents of {@code file} at {@code commit}; empty when there is no such file. */
  private Optional<AppDocuments> documents(RevCommit commit, String file) throws IOException {
    Optional<byte[]> content = files.file(commit, file);
    if (content.isEmpty()) return Optional.empty();
    return Optional.of(AppDocuments.of(file + " at " + commit.abbreviate(7).name(), content.get()));
  }

  /** The app's document in {@code file} at {@code commit}; empty when it has none. */
  private Optional<String> document(RevCommit commit, String file, String app) throws IOException {
    Optional<AppDocuments> documents = documents(commit, file);
    return documents.isEmpty() ? Optional.empty() : documents.get().document(app);
  }

  private ChangeConflict conflict(RevCommit commit, RevCommit head, String file, String app) {
    String later =
        laterChange(commit, head, file, app)
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
            + ") for app "
            + app
            + " in "
            + file
            + later
            + "; nothing was committed. Deploy the version you want instead.");
  }

  /**
   * The newest commit after {@code commit} up to {@code head} that changed the app's document in
   * {@code file}; empty when none can be named (also when the history cannot be read: the conflict
   * is reported either way).
   */
  private Optional<RevCommit> laterChange(
      RevCommit commit, RevCommit head, String file, String app) {
    try (RevWalk walk = new RevWalk(files.repository())) {
      walk.markStart(walk.parseCommit(head));
      walk.markUninteresting(walk.parseCommit(commit));
      for (RevCommit c : walk) {
        if (c.getParentCount() == 0) continue;
        RevCommit parent = walk.parseCommit(c.getParent(0));
        if (!documentAt(c, file, app).equals(documentAt(parent, file, app))) return Optional.of(c);
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The app's document at a commit, or the whole file where it is not valid YAML. */
  private Optional<String> documentAt(RevCommit commit, String file, String app)
      throws IOException {
    try {
      return document(commit, file, app);
    } catch (ChangeRefused e) {
      return files.file(commit, file).map(b -> new String(b, StandardCharsets.UTF_8));
    }
  }
}
