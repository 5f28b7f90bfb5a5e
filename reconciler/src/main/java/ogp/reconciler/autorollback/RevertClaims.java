package ogp.reconciler.autorollback;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may commit the automatic revert of an app's failed revision: {@link AutoRollback} asks {@link
 * #claim} before it commits, and commits only when the answer is yes. Policy: a claim is granted at
 * most once per app and revision, so a revert is committed at most once — by one server in a run
 * ({@link #inMemory()}), or by one leader across replicas and failovers (the cluster's claims kept
 * in etcd). At most once, never at least once: a server that claimed and then died before its
 * commit leaves the revert undone, and the failure stays visible as a failed rollout for an
 * operator to act on, rather than two replicas committing two reverts.
 *
 * <p>An implementation may do I/O (AutoRollback asks on its own worker thread, never on the
 * reconciler's); one that cannot answer throws, and the revert is not committed.
 */
public interface RevertClaims {
  /**
   * Claims the revert of {@code app}'s failed {@code revision} for this server.
   *
   * @return true when this server may commit the revert now; false when it was claimed before (by
   *     this server or another replica) or this server may not commit (it no longer leads)
   */
  boolean claim(String app, String revision);

  /**
   * Claims kept in this process's memory, each granted once for the life of the process: a single
   * server's behaviour (a restarted server may claim again).
   */
  static RevertClaims inMemory() {
    Set<String> claimed = ConcurrentHashMap.newKeySet();
    return (app, revision) -> claimed.add(app + "@" + revision);
  }
}
