package ogp.reconciler.desired;

import java.time.Duration;

/**
 * How a version change rolls out across hosts.
 *
 * @param maxParallel hosts replaced at once; 0 means all at once (the default)
 * @param healthyDeadline a new version not healthy by then has failed (default 60s)
 * @param autoRollback on failure, commit a revert
 */
public record UpdatePolicy(int maxParallel, Duration healthyDeadline, boolean autoRollback) {
  public static final UpdatePolicy DEFAULT = new UpdatePolicy(0, Duration.ofSeconds(60), false);
}
