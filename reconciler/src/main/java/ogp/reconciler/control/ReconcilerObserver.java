package ogp.reconciler.control;

import java.time.Duration;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.HostRecord;

/**
 * What the control loop tells observers (events, the watch feed, meters) without knowing them.
 * Every method has an empty default, so an observer implements only what it needs.
 *
 * <p>Concurrency rule: calls arrive on the reconciler's own threads (fetch worker, reconcile
 * worker, agent listener executor), never on a Netty event loop and never under a reconciler lock.
 * An observer must return quickly (hand slow work to its own thread) and may be called from several
 * of those threads at once. An observer that throws is logged and ignored.
 */
public interface ReconcilerObserver {
  /** How a fetch from Git ended, for the poll-result meter. */
  enum FetchOutcome {
    /** The head moved and a new revision was applied or rejected. */
    CHANGED,
    /** The head did not move. */
    UNCHANGED,
    /** Git could not be read. */
    FAILED
  }

  default void revisionApplied(AppliedRevision revision) {}

  /** A new revision failed validation and is not applied. */
  default void revisionRejected(InvalidRevision revision) {}

  /**
   * A new valid revision would remove too many containers and waits for an admin's confirmation;
   * the previous revision stays applied.
   */
  default void revisionHeld(HeldRevision revision) {}

  default void fetched(FetchOutcome outcome, Duration took) {}

  /**
   * Git could not be read (each failed fetch, before {@code fetched(FAILED, ...)}); the applied
   * revision stays.
   */
  default void fetchFailed(String error) {}

  default void hostConnected(HostRecord host) {}

  default void reportReceived(String hostId, StatusReport report) {}

  default void hostDisconnected(String hostId) {}

  default void hostLost(String hostId) {}

  /** An operator changed the labels bound to a host. */
  default void hostLabelsChanged(HostRecord host) {}

  /** A host lost for longer than the forget threshold is forgotten (unknown from now on). */
  default void hostForgotten(String hostId) {}

  /** One reconcile step of a host ran; {@code failed} when it threw. */
  default void reconciled(String hostId, Duration took, boolean failed) {}

  /** A health-gated rollout stopped: a host was not healthy on the new version in time. */
  default void rolloutFailed(ogp.reconciler.rollout.RolloutFailure failure) {}

  /** An assignment was handed to the host's connection. */
  default void assignmentSent(String hostId, long generation) {}

  /**
   * The host's assignment at {@code revision} is over a limit and was not sent ({@code reason} says
   * which, in one sentence); told once per host and revision.
   */
  default void assignmentRefused(String hostId, String revision, String reason) {}
}
