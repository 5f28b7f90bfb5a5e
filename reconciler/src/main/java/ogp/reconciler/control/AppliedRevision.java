package ogp.reconciler.control;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.source.CommitInfo;

/**
 * A valid revision the reconciler applies: its commit, its desired state, when it was applied, and
 * per app the revision that last changed it ({@link #revisionOf}).
 *
 * <p>Policy: an app's revision is the applied revision at which its definition (everything but
 * where in which file it is written) last differed from the one applied before. The server knows
 * only what it applied since it started: the first revision it applies stamps every app.
 *
 * @param earlierRevisions the apps that last changed before this revision, with the revision that
 *     changed them; every other app changed at this revision. The map is taken as it is, not
 *     copied: the caller must not modify it afterwards.
 */
public record AppliedRevision(
    CommitInfo commit,
    DesiredState state,
    Map<String, String> earlierRevisions,
    Instant appliedAt) {
  public AppliedRevision {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(state, "state");
    earlierRevisions = Collections.unmodifiableMap(earlierRevisions);
  }

  /** A revision at which every app counts as changed, e.g. the first one a server applies. */
  public AppliedRevision(CommitInfo commit, DesiredState state, Instant appliedAt) {
    this(commit, state, Map.of(), appliedAt);
  }

  public String revision() {
    return commit.sha();
  }

  /** The revision that last changed the app: the one stamped on its specs and containers. */
  public String revisionOf(String app) {
    return earlierRevisions.getOrDefault(app, revision());
  }

  /**
   * The revision that follows this one, with {@code state}: an app whose definition is unchanged
   * keeps the revision that last changed it.
   */
  public AppliedRevision next(CommitInfo nextCommit, DesiredState nextState, Instant at) {
    Map<String, String> earlier = new java.util.HashMap<>();
    for (var app : nextState.apps().values()) {
      var before = state.apps().get(app.name());
      if (before != null && before.sameConfigurationAs(app))
        earlier.put(app.name(), revisionOf(app.name()));
    }
    return new AppliedRevision(nextCommit, nextState, earlier, at);
  }

  /** How many apps this revision added or changed (all of them for a first revision). */
  public int changedApps() {
    return state.apps().size() - earlierRevisions.size();
  }

  @Override
  public String toString() {
    return "AppliedRevision["
        + revision()
        + ", "
        + state.apps().size()
        + " app(s), applied at "
        + appliedAt
        + "]";
  }
}
