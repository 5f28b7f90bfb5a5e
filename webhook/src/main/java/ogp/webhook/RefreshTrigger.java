package ogp.webhook;

/**
 * Called for a valid push to the followed repository and branch. Must return fast: it only queues a
 * refresh (coalescing bursts of pushes is the reconciler's job), and it must not throw; if it does,
 * the webhook answers 503 so that the provider redelivers.
 */
@FunctionalInterface
public interface RefreshTrigger {
  void refresh(PushEvent hint);
}
