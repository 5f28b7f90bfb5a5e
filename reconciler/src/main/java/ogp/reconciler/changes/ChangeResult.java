package ogp.reconciler.changes;

import java.util.Objects;
import java.util.Optional;

/**
 * What a change did.
 *
 * @param commit the sha of the pushed commit; empty when the change changed nothing (no commit)
 * @param subject the commit's subject line (also when nothing was committed: what it would have
 *     been)
 * @param message one sentence for the user
 */
public record ChangeResult(Optional<String> commit, String subject, String message) {
  public ChangeResult {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
  }
}
