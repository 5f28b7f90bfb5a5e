package ogp.reconciler.control;

import java.time.Instant;
import java.util.List;
import ogp.reconciler.desired.ValidationError;
import ogp.reconciler.source.CommitInfo;

/** A revision whose desired state does not validate: never applied, reported with its author. */
public record InvalidRevision(CommitInfo commit, List<ValidationError> errors, Instant seenAt) {
  public InvalidRevision {
    errors = List.copyOf(errors);
  }
}
