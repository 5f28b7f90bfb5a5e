package ogp.reconciler.changes;

import java.io.File;
import java.io.IOException;
import ogp.reconciler.source.GitSourceException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Lands a commit on the checked-out branch of a local non-bare repository and brings its index and
 * working tree along, as {@code git push} does with {@code receive.denyCurrentBranch=updateInstead}
 * (which JGit's receive-pack does not implement).
 *
 * <p>Policy: under the repository's index lock (so a {@code git commit} there cannot interleave),
 * the branch must still be at the expected commit, and the files the commit changes must be
 * unmodified in the index and the working tree; then the branch moves and only those files are
 * checked out. Uncommitted edits of a file the change touches refuse the change ({@link
 * ChangeConflict}); edits of other files are left alone.
 */
final class CheckedOutBranch {
  private final File workTree;
  private final String branchRef;

  CheckedOutBranch(File workTree, String branchRef) {
    this.workTree = workTree;
    this.branchRef = branchRef;
  }

  FollowedBranch.Outcome publish(Repository source, ObjectId expected, ObjectId commit) {
    try (Repository target =
        new FileRepositoryBuilder().findGitDir(workTree).setMustExist(true).build()) {
      copyObjects(source, target, expected, commit);
      DirCache index = target.lockDirCache();
      boolean unlocked = false;
      try (RevWalk walk = new RevWalk(target)) {
        Ref tip = target.exactRef(branchRef);
        if (tip == null || !expected.equals(tip.getObjectId())) return FollowedBranch.Outcome.MOVED;
        RevCommit newCommit = walk.parseCommit(commit);
        RevCommit oldCommit = walk.parseCommit(expected);
        DirCacheCheckout checkout =
            new DirCacheCheckout(target, oldCommit.getTree(), index, newCommit.getTree());
        checkout.setFailOnConflict(true);
        checkout.preScanTwoTrees();
        if (!checkout.getConflicts().isEmpty()) {
          throw new ChangeConflict(
              "The repository at "
                  + workTree
                  + " has uncommitted changes to "
                  + String.join(", ", checkout.getConflicts())
                  + "; commit or discard them, then try again.");
        }
        RefUpdate update = target.updateRef(branchRef);
        update.setExpectedOldObjectId(expected);
        update.setNewObjectId(commit);
        update.setRefLogMessage("ogp: " + newCommit.getShortMessage(), false);
        RefUpdate.Result result = update.update(walk);
        if (result != RefUpdate.Result.FAST_FORWARD && result != RefUpdate.Result.NEW) {
          return FollowedBranch.Outcome.MOVED;
        }
        unlocked = true; // checkout() writes the index and releases the lock
        checkout.checkout();
        return FollowedBranch.Outcome.LANDED;
      } finally {
        if (!unlocked) index.unlock();
      }
    } catch (IOException e) {
      throw new GitSourceException(
          "Cannot commit to the repository at " + workTree + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies the objects of {@code commit} that {@code expected} does not have into {@code target}.
   */
  private static void copyObjects(
      Repository source, Repository target, ObjectId expected, ObjectId commit) throws IOException {
    try (ObjectWalk walk = new ObjectWalk(source);
        ObjectReader reader = source.newObjectReader();
        ObjectInserter inserter = target.newObjectInserter()) {
      walk.markStart(walk.parseCommit(commit));
      walk.markUninteresting(walk.parseCommit(expected));
      RevCommit c;
      while ((c = walk.next()) != null) {
        inserter.insert(c.getType(), reader.open(c).getCachedBytes());
      }
      RevObject o;
      while ((o = walk.nextObject()) != null) {
        if (!target.getObjectDatabase().has(o)) {
          inserter.insert(o.getType(), reader.open(o).getBytes());
        }
      }
      inserter.flush();
    }
  }
}
