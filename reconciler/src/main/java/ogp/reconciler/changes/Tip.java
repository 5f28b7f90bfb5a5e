package ogp.reconciler.changes;

import org.eclipse.jgit.lib.ObjectId;

/**
 * A commit a change is applied to, with its desired-state tree parsed: the branch's tip as fetched,
 * or that tip with the commits of earlier changes of the same batch on top.
 */
record Tip(ObjectId commit, DesiredTree tree) {

  /**
   * This tip with {@code change} committed on top as {@code next}: only the changed file is parsed
   * again.
   */
  Tip then(ObjectId next, ProposedChange change) {
    return new Tip(next, tree.with(next.name(), change.path(), change.after()));
  }
}
