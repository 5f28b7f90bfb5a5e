package ogp.reconciler.changes;

import java.io.IOException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes a commit into a repository without a working tree (the bare mirror): the parent's tree is
 * read into an in-core {@link DirCache}, one path is replaced or removed, and the tree and the
 * commit are inserted with an {@link ObjectInserter}. No ref is moved: publishing is the caller's
 * business. Safe to use from many threads at once (each call has its own inserter and index).
 */
final class CommitWriter {
  private final Repository repository;

  CommitWriter(Repository repository) {
    this.repository = repository;
  }

  ObjectId write(RevCommit parent, ProposedChange change, PersonIdent author, PersonIdent committer)
      throws IOException {
    try (ObjectInserter inserter = repository.newObjectInserter()) {
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      FileMode mode = FileMode.REGULAR_FILE;
      try (TreeWalk walk = new TreeWalk(repository)) {
        walk.addTree(parent.getTree());
        walk.setRecursive(true);
        while (walk.next()) {
          if (walk.getPathString().equals(change.path())) {
            mode = walk.getFileMode(0); // keep an executable bit as it was
            continue;
          }
          DirCacheEntry entry = new DirCacheEntry(walk.getRawPath());
          entry.setFileMode(walk.getFileMode(0));
          entry.setObjectId(walk.getObjectId(0));
          builder.add(entry);
        }
      }
      if (change.after().isPresent()) {
        DirCacheEntry entry = new DirCacheEntry(change.path());
        entry.setFileMode(mode);
        entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, change.after().get()));
        builder.add(entry);
      }
      builder.finish();
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(index.writeTree(inserter));
      commit.setParentId(parent);
      commit.setAuthor(author);
      commit.setCommitter(committer);
      commit.setMessage(change.message());
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id;
    }
  }
}
