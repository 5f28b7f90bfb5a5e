package ogp.reconciler.control;

import java.time.Instant;
import java.util.Objects;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.plan.RemovalCheck;
import ogp.reconciler.source.CommitInfo;

/**
 * A valid revision that would remove too many of the fleet's containers ({@link RemovalCheck}): not
 * applied, reported with its author, applied as it is only when an admin confirms exactly this
 * commit. A newer commit replaces it.
 */
public record HeldRevision(
    CommitInfo commit, DesiredState state, RemovalCheck check, Instant seenAt) {
  public HeldRevision {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(check, "check");
  }

  public String revision() {
    return commit.sha();
  }
}
