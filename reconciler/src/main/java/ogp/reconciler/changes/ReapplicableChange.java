package ogp.reconciler.changes;

import java.io.IOException;

/**
 * One requested change, applicable to any tip: the file content and message it proposes there, or a
 * refusal ({@link ChangeRefused} and its kinds). Applied again, unchanged, whenever the branch
 * moved before its commit landed.
 */
@FunctionalInterface
interface ReapplicableChange {
  ProposedChange on(Tip tip, Actor actor) throws IOException;
}
