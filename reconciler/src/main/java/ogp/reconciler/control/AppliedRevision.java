package ogp.reconciler.control;

import java.time.Instant;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.source.CommitInfo;

/** A valid revision the reconciler applies: its commit, its desired state and when it was applied. */
public record AppliedRevision(CommitInfo commit, DesiredState state, Instant appliedAt) {
  public String revision() {
    return commit.sha();
  }
}
