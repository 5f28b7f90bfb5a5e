package ogp.reconciler.changes;

import java.util.Arrays;
import java.util.Optional;

/**
 * The content one change gives one file, and the commit message it carries.
 *
 * @param path the file, relative to the repository root
 * @param before its content at the base commit
 * @param after its new content; empty when the change removes the file (a revert of the commit that
 *     added it)
 * @param message the full commit message, trailers included
 */
record ProposedChange(String path, byte[] before, Optional<byte[]> after, String message) {

  /** Whether applying it changes nothing. */
  boolean isNoOp() {
    return after.isPresent() && Arrays.equals(before, after.get());
  }

  String subject() {
    int n = message.indexOf('\n');
    return n < 0 ? message : message.substring(0, n);
  }
}
