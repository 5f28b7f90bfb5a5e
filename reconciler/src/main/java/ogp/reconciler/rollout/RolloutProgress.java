package ogp.reconciler.rollout;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one server run remembers of one app's rollout towards one target (the desired spec hashes):
 * when each host was given the new version, which hosts reached it healthy, which failed. Nothing
 * here is needed for correctness after a restart: a restarted server rebuilds it from agent reports
 * ({@link RolloutStep}), giving hosts found mid-update a fresh deadline, so it may wait longer but
 * never declares a failure it did not see.
 *
 * <p>Not thread-safe: owned by the reconcile worker ({@link Rollouts}).
 */
final class RolloutProgress {
  private final List<String> target;
  final Map<String, Instant> admittedAt = new HashMap<>();
  final Set<String> done = new LinkedHashSet<>();

  /**
   * Sticky: a host that missed the deadline stays failed for this target even if it recovers later.
   */
  final Set<String> failed = new LinkedHashSet<>();

  boolean failureAnnounced;
  boolean completionAnnounced;

  RolloutProgress(List<String> target) {
    this.target = List.copyOf(target);
  }

  /** The spec hashes this rollout leads to, by instance. */
  List<String> target() {
    return target;
  }
}
