package ogp.reconciler.changes;

/**
 * The change no longer applies to the branch as it is now: a revert whose lines later commits
 * changed, a working tree with uncommitted edits of the same file, or a branch that kept moving
 * through every retry. Nothing was committed and nothing was forced.
 */
public final class ChangeConflict extends ChangeRefused {
  public ChangeConflict(String message) {
    super(message);
  }
}
